"""Every API error has one shape: ``{"error": {"code", "message", "fields"}}``.

Domain errors from the services are mapped to HTTP here and nowhere else.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from crisis.models import AppendOnlyError
from crisis.services import errors as domain
from crisis.web.errors import HTTP_STATUS

DOMAIN_STATUS = {
    domain.InvalidInput: status.HTTP_400_BAD_REQUEST,
    domain.PermissionDenied: status.HTTP_403_FORBIDDEN,
    domain.NotFound: status.HTTP_404_NOT_FOUND,
    domain.InvalidTransition: status.HTTP_409_CONFLICT,
    domain.ConcurrentUpdate: status.HTTP_409_CONFLICT,
}


def domain_status(exc: domain.DomainError) -> int:
    """The status of the nearest class the map knows (a subclass answers as its parent), else of its code, read
    as the desk's pages read it (a feature's own error, such as a duplicate entry, says "conflict")."""
    known = next((DOMAIN_STATUS[cls] for cls in type(exc).__mro__ if cls in DOMAIN_STATUS), None)
    return known or HTTP_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST)


class ApiConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("Conflict.")


class IdempotencyKeyReused(exceptions.APIException):
    # The IETF Idempotency-Key draft answers a key reused with a different body with 422.
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = gettext_lazy("This Idempotency-Key was already used for a different request.")


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors like its data; clients want ``points[3].negative_share`` -> reasons."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # ListField reports its items' errors by index
                path = f"{prefix}[{key}]"
            else:
                name = "" if key == "non_field_errors" else str(key)
                path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            flat.update(_flatten(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            flat.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    flat.update(_flatten(item, f"{prefix}[{index}]"))
    else:
        flat.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return flat


def _validation_response(exc: exceptions.ValidationError) -> Response:
    fields = _flatten(exc.detail)
    first = next(iter(fields.items()), ("", [_("Invalid input.")]))
    message = f"{first[0]}: {first[1][0]}" if first[0] and first[0] != "non_field_errors" else first[1][0]
    return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)


def api_exception_handler(exc, context):
    if isinstance(exc, domain.DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=domain_status(exc))
    if isinstance(exc, AppendOnlyError):
        return Response(error_body("append_only", str(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    message = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(exc, exceptions.ParseError) and code != "too_large":
        code, message = "malformed", _("The request body is not valid JSON: %(d)s") % {"d": exc.detail}
    response.data = error_body(code if isinstance(code, str) else "error", str(message))
    return response
