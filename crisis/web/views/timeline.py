from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from crisis.models import TimelineEvent
from crisis.services.errors import DomainError
from crisis.services.timeline import timeline_event_correct, timeline_event_log, timeline_event_pin

from ..access import desk_view, incident_for_request
from ..errors import form_add_domain_error, form_submit
from ..forms import CorrectionForm, QuickLogForm
from ..golden_clock import clock_context
from ..room import timeline_context
from .incidents import is_htmx, panels_render, room_render


def _timeline_context(request: HttpRequest, incident, abilities) -> dict:
    return {"incident": incident, "abilities": abilities, **timeline_context(request, incident),
            "correction_form": CorrectionForm(zone=incident.time_zone)}


@desk_view
def timeline_partial(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the room every few seconds, so colleagues' entries appear without a reload; also "Load more"."""
    incident, abilities = incident_for_request(request, pk)
    return render(request, "crisis/partials/timeline.html", _timeline_context(request, incident, abilities))


@require_POST
@desk_view
def quick_log(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    form = QuickLogForm(request.POST, zone=incident.time_zone)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            timeline_event_log(incident=incident, actor=request.user, body=data["body"], kind=data["kind"],
                               occurred_at=data["occurred_at"], source_url=data["source_url"],
                               is_pinned=data["is_pinned"])
        except DomainError as error:
            status = form_add_domain_error(form, error)
        else:
            if not request.headers.get("HX-Request"):
                return redirect("crisis:incident-room", pk=incident.pk)
            # A fresh box keeps the chosen kind, so a run of observations is typed without touching the mouse.
            form = QuickLogForm(zone=incident.time_zone, initial={"kind": data["kind"]})
            status = 200
    if not request.headers.get("HX-Request"):
        return room_render(request, incident, abilities, status=status, log_form=form)
    context = dict(_timeline_context(request, incident, abilities), log_form=form, timeline_oob=True)
    if status == 200:
        # A line can settle a deadline (an action, an acknowledgement): the clock and the sticky bar follow at once.
        context.update(clock_context(incident=incident, abilities=abilities), oob=True)
    # htmx swaps 200 responses only: a refused entry comes back as the form with its errors, still typed in.
    return render(request, "crisis/partials/quick_log_response.html", context)


@require_POST
@desk_view
def event_correct(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    event = get_object_or_404(TimelineEvent.objects.select_related("incident__organization"),
                              pk=event_pk, incident=incident)
    form = CorrectionForm(request.POST, zone=incident.time_zone)
    _saved, status = form_submit(form, lambda: timeline_event_correct(
        event=event, actor=request.user, body=form.cleaned_data["body"], reason=form.cleaned_data["reason"]))
    if is_htmx(request):
        # In place: the timeline panel again, with the correction (or the refused form, left open).
        if status is None:
            return panels_render(request, incident, abilities, ("timeline", "clock"))
        return panels_render(request, incident, abilities, ("timeline",), correction_form=form, correcting=event.pk)
    if status is None:
        return redirect("crisis:incident-room", pk=incident.pk)
    return room_render(request, incident, abilities, status=status, correction_form=form, correcting=event.pk)


@require_POST
@desk_view
def event_pin(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    event = get_object_or_404(TimelineEvent.objects.select_related("incident__organization"),
                              pk=event_pk, incident=incident)
    try:
        timeline_event_pin(event=event, actor=request.user, is_pinned=request.POST.get("is_pinned") == "1")
    except DomainError as error:
        form = CorrectionForm(zone=incident.time_zone)
        status = form_add_domain_error(form, error)
        if is_htmx(request):
            return panels_render(request, incident, abilities, ("timeline",), correction_form=form,
                                 correcting=event.pk)
        return room_render(request, incident, abilities, status=status, correction_form=form, correcting=event.pk)
    if is_htmx(request):
        return panels_render(request, incident, abilities, ("timeline",))
    return redirect("crisis:incident-room", pk=incident.pk)
