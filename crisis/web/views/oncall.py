from datetime import timedelta

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse

from crisis import clock
from crisis.models import Membership
from crisis.oncall.calendar import person_feed_path, schedule_feed_path
from crisis.oncall.models import Schedule
from crisis.oncall.selectors import oncall_user_at, schedule_spans
from crisis.oncall.services.calendars import calendar_secret_for

from ..access import abilities_for, current_organization, desk_view
from ..rendering import desk_render

UPCOMING_DAYS = 14


@desk_view
def oncall_schedule(request: HttpRequest) -> HttpResponse:
    """Who is on call now and for the next two weeks, per schedule, with calendar feeds to subscribe to."""
    organization = current_organization(request)
    schedules, members, abilities = [], [], None
    # Feed links are made out to the reader: each carries their secret (rotated from this page).
    secret = calendar_secret_for(user=request.user)
    if organization is not None:
        abilities = abilities_for(user=request.user, organization=organization)
        if abilities.can_admin:
            members = [m.user for m in Membership.objects.filter(organization=organization).select_related("user")
                       .order_by("user__username")]
        now = clock.now()
        rows = list(Schedule.objects.filter(organization=organization).order_by("name"))
        spans = {s.pk: schedule_spans(schedule=s, start=now, end=now + timedelta(days=UPCOMING_DAYS)) for s in rows}
        people = get_user_model().objects.in_bulk({span.user_id for found in spans.values() for span in found})
        for schedule in rows:
            schedules.append({
                "schedule": schedule,
                "now": oncall_user_at(schedule=schedule, moment=now),
                "spans": [(span, people.get(span.user_id)) for span in spans[schedule.pk]],
                "feed": request.build_absolute_uri(schedule_feed_path(schedule=schedule, user=request.user,
                                                                      secret=secret)),
            })
    my_feed = request.build_absolute_uri(person_feed_path(user=request.user, secret=secret))
    return desk_render(request, "crisis/oncall_schedule.html", {
        "organization": organization, "schedules": schedules, "my_feed": my_feed, "days": UPCOMING_DAYS,
        "abilities": abilities, "members": members,
    })
