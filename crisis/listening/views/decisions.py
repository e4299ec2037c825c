"""The room's buttons on a sentiment-level suggestion: apply or dismiss, then back to the room."""

from datetime import datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crisis.services.errors import DomainError
from crisis.web.access import desk_view, incident_for_request

from ..services.suggestions import suggestion_apply, suggestion_dismiss


def _suggestion_seen(request) -> dict:
    """The suggestion as the commander saw it; anything unreadable reaches the service as None and is refused."""
    try:
        level = int(request.POST.get("level", ""))
    except ValueError:
        level = None
    try:
        entered_at = datetime.fromisoformat(request.POST.get("level_entered_at", ""))
    except ValueError:
        entered_at = None
    return {"level": level, "level_entered_at": entered_at, "reason": request.POST.get("reason", "")}


def _decide(request, incident_id: int, action, done: str):
    incident, _abilities = incident_for_request(request, incident_id)
    try:
        action(incident=incident, actor=request.user, **_suggestion_seen(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("crisis:incident-room", incident.pk)


@desk_view
@require_POST
def suggestion_apply_view(request, incident_id: int):
    return _decide(request, incident_id, suggestion_apply, _("Severity raised as the sentiment level suggested."))


@desk_view
@require_POST
def suggestion_dismiss_view(request, incident_id: int):
    return _decide(request, incident_id, suggestion_dismiss, _("Suggestion dismissed."))
