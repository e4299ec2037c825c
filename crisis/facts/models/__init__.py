from .facts import Fact, FactVersion

__all__ = ["Fact", "FactVersion"]
