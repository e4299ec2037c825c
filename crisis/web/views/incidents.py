from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from crisis import clock
from crisis.models import EventKind
from crisis.oncall.selectors import incident_pages, oncall_now
from crisis.services.errors import DomainError
from crisis.services.incidents import (
    incident_acknowledge,
    incident_change_severity,
    incident_open,
    incident_transition,
)

from ..access import abilities_for, current_organization, desk_view, incident_for_request
from ..errors import form_add_domain_error, form_submit
from ..forms import CorrectionForm, IncidentOpenForm, QuickLogForm, SeverityForm, StatusForm
from ..rendering import desk_render
from ..room import room_chart, room_statements, status_choices, timeline_entries
from .clock import clock_context


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
                affected_channels=data["affected_channels"], summary=data["summary"],
                commander=form.person("commander"), spokesperson=form.person("spokesperson"),
            )

        incident, status = form_submit(form, save)
        if status is None:
            return redirect("crisis:incident-room", pk=incident.pk)
    return desk_render(request, "crisis/incident_open.html", {"form": form, "organization": organization},
                       status=status)


def room_render(request: HttpRequest, incident, abilities, *, status: int = 200, **forms) -> HttpResponse:
    kind = request.GET.get("kind", "")
    statements = room_statements(incident=incident)
    zone = incident.time_zone
    context = {
        "incident": incident,
        "organization": incident.organization,
        "abilities": abilities,
        "kind": kind,
        "kind_choices": EventKind.choices,
        "entries": timeline_entries(incident=incident, kind=kind),
        "statements": statements,
        "chart": room_chart(incident=incident, statements=statements),
        "status_choices": status_choices(incident=incident, abilities=abilities),
        "log_form": forms.get("log_form") or QuickLogForm(zone=zone),
        "status_form": forms.get("status_form") or StatusForm(),
        "severity_form": forms.get("severity_form") or SeverityForm(initial={"severity": incident.severity}),
        "correction_form": forms.get("correction_form") or CorrectionForm(zone=zone),
        "correcting": forms.get("correcting"),
        **clock_context(incident=incident, abilities=abilities),
        "oncall_now": oncall_now(organization=incident.organization, moment=clock.now()),
        "pages": incident_pages(incident=incident),
    }
    return desk_render(request, "crisis/incident_room.html", context, status=status)


@desk_view
def incident_room(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    return room_render(request, incident, abilities)


@require_POST
@desk_view
def incident_status(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = StatusForm(request.POST)
    _saved, status = form_submit(form, lambda: incident_transition(
        incident=incident, actor=request.user, to_status=form.cleaned_data["status"], note=form.cleaned_data["note"]))
    if status is None:
        return redirect("crisis:incident-room", pk=incident.pk)
    return room_render(request, incident, abilities, status=status, status_form=form)


@require_POST
@desk_view
def incident_severity(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = SeverityForm(request.POST)
    _saved, status = form_submit(form, lambda: incident_change_severity(
        incident=incident, actor=request.user, severity=form.cleaned_data["severity"],
        reason=form.cleaned_data["reason"]))
    if status is None:
        return redirect("crisis:incident-room", pk=incident.pk)
    return room_render(request, incident, abilities, status=status, severity_form=form)


@require_POST
@desk_view
def incident_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    try:
        incident_acknowledge(incident=incident, actor=request.user)
    except DomainError as error:
        form = StatusForm()
        status = form_add_domain_error(form, error)
        return room_render(request, incident, abilities, status=status, status_form=form)
    return redirect("crisis:incident-room", pk=incident.pk)
