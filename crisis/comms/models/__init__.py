from .freeze import FreezeEntry, FreezePolicy
from .off_script import OffScriptPost
from .templates import StatementTemplate

__all__ = ["FreezeEntry", "FreezePolicy", "OffScriptPost", "StatementTemplate"]
