"""Where generated report files live: ``GOLDEN_HOURS_REPORT_ROOT``, else ``var/reports``.

The location is read on every use (not cached at import) so tests can point it at a temporary folder.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class ReportStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(getattr(settings, "GOLDEN_HOURS_REPORT_ROOT", None) or settings.VAR_DIR / "reports")

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:  # type: ignore[override]
        # Files are served through a view that checks membership, never straight from disk.
        return None


_storage = ReportStorage()


def report_storage() -> ReportStorage:
    return _storage
