"""Domain errors: a message for people, a machine code, and the fields at fault.

The API maps each class to an HTTP status once (400/403/404/409); services never think in HTTP.
"""

from typing import Any


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, fields: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.fields: dict[str, list[str]] = {}
        if field:
            self.fields[field] = [message]
        for name, reasons in (fields or {}).items():
            self.fields[name] = list(reasons) if isinstance(reasons, list | tuple) else [str(reasons)]


class InvalidInput(DomainError):
    code = "invalid"


class PermissionDenied(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class InvalidTransition(DomainError):
    """The record is not in a state from which this change is allowed."""

    code = "invalid_transition"


class ConcurrentUpdate(DomainError):
    """Somebody else changed the record first: the compare-and-set lost."""

    code = "conflict"
