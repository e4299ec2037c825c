"""Domain errors from the services, shown on the form that caused them."""

from collections.abc import Callable
from typing import Any

from django import forms

from crisis.services.errors import DomainError

HTTP_STATUS = {"invalid": 400, "forbidden": 403, "not_found": 404, "invalid_transition": 409, "conflict": 409}


def form_add_domain_error(form: forms.Form, error: DomainError, *, field_map: dict[str, str] | None = None) -> int:
    """Put each reason beside its field (reasons about fields the form does not show go on top).

    Returns the HTTP status the page should carry, so a refused change never looks like a success.
    """
    field_map = field_map or {}
    if not hasattr(form, "cleaned_data"):
        # A button without fields (acknowledge, pin) reports through an unbound form.
        form.full_clean()
        form.cleaned_data = {}
    placed = False
    for name, reasons in error.fields.items():
        target = field_map.get(name, name)
        for reason in reasons:
            form.add_error(target if target in form.fields else None, reason)
            placed = True
    if not placed:
        form.add_error(None, error.message)
    return HTTP_STATUS.get(error.code, 400)


def form_submit(form: forms.Form, save: Callable[[], Any]) -> tuple[Any, int | None]:
    """Run ``save`` (a service call) on a valid form, the way every form post of the desk does.

    Returns (what ``save`` returned, None) when it worked; otherwise (None, the HTTP status to show
    the form again with), the service's reasons placed beside their fields.
    """
    if not form.is_valid():
        return None, 400
    try:
        return save(), None
    except DomainError as error:
        return None, form_add_domain_error(form, error)
