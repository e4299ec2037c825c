"""The golden-hours clock: elapsed time since the first public signal and a bar per deadline."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from crisis import clock
from crisis.models import Deadline, DeadlineState, Incident
from crisis.selectors import incidents_for_user
from crisis.services.deadlines import deadline_extend, deadline_mark_met, deadline_waive

from ..access import Abilities, abilities_for, desk_view, incident_for_request
from ..errors import form_submit
from ..forms import DeadlineExtendForm, DeadlineMetForm, DeadlineWaiveForm
from ..golden_clock import clock_time_format, deadline_rows, passed_rows
from ..rendering import desk_render

GOLDEN_WINDOW_SECONDS = 4 * 3600


def clock_context(*, incident: Incident, abilities: Abilities) -> dict:
    now = clock.now()
    time_format = clock_time_format(incident=incident, now=now)
    rows = deadline_rows(incident=incident, time_format=time_format)
    deadlines = [row.deadline for row in rows]
    elapsed = (now - incident.first_public_signal_at).total_seconds()
    return {
        "server_now": now,
        "elapsed_seconds": int(elapsed),
        "golden_share": min(max(elapsed / GOLDEN_WINDOW_SECONDS, 0), 1),
        "deadline_rows": rows,
        "passed_rows": passed_rows(incident=incident, time_format=time_format),
        "clock_time_format": time_format,
        "pending_count": sum(d.state == DeadlineState.PENDING for d in deadlines),
        "breached_count": sum(d.state == DeadlineState.BREACHED for d in deadlines),
        "met_count": sum(d.state == DeadlineState.MET for d in deadlines),
        "extend_form": DeadlineExtendForm(),
        "deadline_abilities": abilities,
    }


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
        return redirect("crisis:incident-room", pk=incident.pk)
    context = {"incident": incident, "organization": incident.organization, "abilities": abilities,
               "deadline": deadline, "form": form, "action": action}
    return desk_render(request, "crisis/deadline_action.html", context, status=status)
