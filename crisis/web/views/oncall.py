from datetime import timedelta

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from crisis import clock
from crisis.oncall.links import calendar_token
from crisis.oncall.models import Schedule
from crisis.oncall.selectors import oncall_user_at, schedule_spans

from ..access import abilities_for, current_organization, desk_view
from ..rendering import desk_render

UPCOMING_DAYS = 14


@desk_view
def oncall_schedule(request: HttpRequest) -> HttpResponse:
    """Who is on call now and for the next two weeks, per schedule, with calendar feeds to subscribe to."""
    organization = current_organization(request)
    schedules = []
    if organization is not None:
        abilities_for(user=request.user, organization=organization)
        now = clock.now()
        rows = list(Schedule.objects.filter(organization=organization).order_by("name"))
        spans = {s.pk: schedule_spans(schedule=s, start=now, end=now + timedelta(days=UPCOMING_DAYS)) for s in rows}
        people = get_user_model().objects.in_bulk({span.user_id for found in spans.values() for span in found})
        for schedule in rows:
            schedules.append({
                "schedule": schedule,
                "now": oncall_user_at(schedule=schedule, moment=now),
                "spans": [(span, people.get(span.user_id)) for span in spans[schedule.pk]],
                "feed": request.build_absolute_uri(
                    reverse("oncall:schedule-feed", args=[calendar_token(kind="schedule", pk=schedule.pk)])),
            })
    my_feed = request.build_absolute_uri(
        reverse("oncall:person-feed", args=[calendar_token(kind="person", pk=request.user.pk)]))
    return desk_render(request, "crisis/oncall_schedule.html", {
        "organization": organization, "schedules": schedules, "my_feed": my_feed, "days": UPCOMING_DAYS,
    })
