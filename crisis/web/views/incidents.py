import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from crisis import clock
from crisis.durations import duration_units
from crisis.services.incidents import (
    incident_acknowledge,
    incident_change_severity,
    incident_open,
    incident_transition,
    incident_update_details,
)

from ..access import abilities_for, current_organization, desk_view, incident_for_request
from ..errors import form_submit
from ..forms import (
    AcknowledgeForm,
    IncidentOpenForm,
    SeverityForm,
    SignalForm,
    StatusForm,
)
from ..rendering import desk_render
from ..room import is_htmx, panels_render, room_context, room_fingerprints


@desk_view
def incident_open_view(request: HttpRequest) -> HttpResponse:
    organization = current_organization(request)
    if organization is None or not abilities_for(user=request.user, organization=organization).can_respond:
        return desk_render(request, "crisis/forbidden.html", {}, status=403)
    form = IncidentOpenForm(request.POST or None, organization=organization)
    status = 200
    if request.method == "POST":
        def save():
            data = form.cleaned_data
            return incident_open(
                organization=organization, actor=request.user, title=data["title"], severity=data["severity"],
                first_public_signal_at=data["first_public_signal_at"], status=data["status"],
                affected_channels=data["affected_channels"], summary=data["summary"], tags=data["tags"],
                commander=form.person("commander"), spokesperson=form.person("spokesperson"),
            )

        incident, status = form_submit(form, save)
        if status is None:
            return redirect("crisis:incident-room", pk=incident.pk)
    return desk_render(request, "crisis/incident_open.html", {"form": form, "organization": organization},
                       status=status)


def room_render(request: HttpRequest, incident, abilities, *, status: int = 200, **forms) -> HttpResponse:
    # The fingerprints are read before the panels: a change landing in between makes the first poll fetch again,
    # never hides it.
    fingerprints = room_fingerprints(incident_id=incident.pk)
    context = room_context(request, incident, abilities, **forms)
    context["fingerprints_json"] = json.dumps(fingerprints)
    context["duration_units"] = duration_units()
    return desk_render(request, "crisis/incident_room.html", context, status=status)


def _room_form_post(request: HttpRequest, incident, abilities, *, form, name: str, action) -> HttpResponse:
    """Run a room form's service: back to the room (or its panels, in place), or the form again with why it was
    refused."""
    _saved, status = form_submit(form, action)
    if is_htmx(request):
        if status is None:
            incident.refresh_from_db()
            return panels_render(request, incident, abilities, ("head", "clock", "timeline"))
        return panels_render(request, incident, abilities, ("head",), **{name: form})
    if status is None:
        return redirect("crisis:incident-room", pk=incident.pk)
    return room_render(request, incident, abilities, status=status, **{name: form})


@desk_view
def room_version(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the open room every ~1.5 s: one short query of fingerprints; the page then fetches only the panels
    whose fingerprint moved (see crisis.web.room.LIVE_PANELS for why polling and not server-sent events)."""
    incident, _abilities = incident_for_request(request, pk)
    return JsonResponse({"now": clock.now().isoformat(), "panels": room_fingerprints(incident_id=incident.pk)})


@desk_view
def room_panels(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    return panels_render(request, incident, abilities, request.GET.getlist("panel"))


@desk_view
def incident_room(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    return room_render(request, incident, abilities)


@require_POST
@desk_view
def incident_status(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = StatusForm(request.POST, zone=incident.time_zone)
    return _room_form_post(
        request, incident, abilities, form=form, name="status_form",
        action=lambda: incident_transition(
            incident=incident, actor=request.user, to_status=form.cleaned_data["status"],
            note=form.cleaned_data["note"], occurred_at=form.cleaned_data["occurred_at"],
            confirmed={"open_items"} if form.cleaned_data["confirm_open_items"] else set()))


@require_POST
@desk_view
def incident_severity(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = SeverityForm(request.POST)
    return _room_form_post(
        request, incident, abilities, form=form, name="severity_form",
        action=lambda: incident_change_severity(
            incident=incident, actor=request.user, severity=form.cleaned_data["severity"],
            reason=form.cleaned_data["reason"]))


@require_POST
@desk_view
def incident_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = AcknowledgeForm(request.POST, zone=incident.time_zone)
    return _room_form_post(
        request, incident, abilities, form=form, name="acknowledge_form",
        action=lambda: incident_acknowledge(
            incident=incident, actor=request.user, acknowledged_at=form.cleaned_data["acknowledged_at"],
            note=form.cleaned_data["note"]))


@require_POST
@desk_view
def incident_signal(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-date the first public signal: every deadline moves with it, by its offset in elapsed time."""
    incident, abilities = incident_for_request(request, pk)
    form = SignalForm(request.POST, zone=incident.time_zone)
    return _room_form_post(
        request, incident, abilities, form=form, name="signal_form",
        action=lambda: incident_update_details(
            incident=incident, actor=request.user, expected_version=form.cleaned_data["expected_version"],
            first_public_signal_at=form.cleaned_data["first_public_signal_at"]))
