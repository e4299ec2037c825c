"""The golden-hours clock: elapsed time since the first public signal and a bar per deadline."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from crisis.models import Deadline
from crisis.selectors import incidents_for_user
from crisis.services.deadlines import deadline_extend, deadline_mark_met, deadline_waive

from ..access import abilities_for, desk_view, incident_for_request
from ..errors import form_submit
from ..forms import DeadlineExtendForm, DeadlineMetForm, DeadlineWaiveForm
from ..golden_clock import clock_context
from ..rendering import desk_render
from ..room import is_htmx, panels_render


@desk_view
def golden_clock(request: HttpRequest, pk: int) -> HttpResponse:
    incident, abilities = incident_for_request(request, pk)
    context = {"incident": incident, "abilities": abilities, **clock_context(incident=incident, abilities=abilities)}
    return desk_render(request, "crisis/partials/golden_clock.html",
                       dict(context, partial_template="crisis/partials/golden_clock.html"))


DEADLINE_ACTIONS = {
    "extend": (DeadlineExtendForm, lambda d, user, data: deadline_extend(deadline=d, actor=user, **data)),
    "waive": (DeadlineWaiveForm, lambda d, user, data: deadline_waive(deadline=d, actor=user, **data)),
    "met": (DeadlineMetForm, lambda d, user, data: deadline_mark_met(deadline=d, actor=user, **data)),
}


@require_POST
@desk_view
def deadline_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in DEADLINE_ACTIONS:
        raise Http404
    deadline = get_object_or_404(
        Deadline.objects.select_related("incident__organization"),
        pk=pk, incident__in=incidents_for_user(user=request.user),
    )
    incident = deadline.incident
    abilities = abilities_for(user=request.user, organization=incident.organization)
    form_class, perform = DEADLINE_ACTIONS[action]
    form = form_class(request.POST, **({"zone": incident.time_zone} if form_class is DeadlineMetForm else {}))

    def save():
        data = dict(form.cleaned_data)
        deadline.version = data.pop("version")
        perform(deadline, request.user, data)

    _saved, status = form_submit(form, save)
    if status is None:
        if is_htmx(request):
            incident.refresh_from_db()
            return panels_render(request, incident, abilities, ("head", "clock", "timeline"))
        return redirect("crisis:incident-room", pk=incident.pk)
    # A refused action shows its own page with the reasons; in the room desk.js falls back to posting the form
    # plainly when the in-place request is refused, and lands here.
    context = {"incident": incident, "organization": incident.organization, "abilities": abilities,
               "deadline": deadline, "form": form, "action": action}
    return desk_render(request, "crisis/deadline_action.html", context, status=status)
