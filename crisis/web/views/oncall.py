from django.http import HttpRequest, HttpResponse

from crisis import clock
from crisis.models import Membership
from crisis.oncall.calendar import person_feed_path, schedule_feed_path
from crisis.oncall.models import Schedule
from crisis.oncall.preview import PREVIEW_DAYS, schedule_previews
from crisis.oncall.services.calendars import calendar_secret_for

from ..access import abilities_for, current_organization, desk_view
from ..rendering import desk_render


@desk_view
def oncall_schedule(request: HttpRequest) -> HttpResponse:
    """Who is on call now and for the next two weeks, per schedule, with calendar feeds to subscribe to.

    The same compact day-by-day preview as On-call setup, overrides included, in a fixed number of queries."""
    organization = current_organization(request)
    schedules, members, abilities = [], [], None
    # Feed links are made out to the reader: each carries their secret (rotated from this page).
    secret = calendar_secret_for(user=request.user)
    if organization is not None:
        abilities = abilities_for(user=request.user, organization=organization)
        if abilities.can_admin:
            members = [m.user for m in Membership.objects.filter(organization=organization).select_related("user")
                       .order_by("user__username")]
        rows = list(Schedule.objects.filter(organization=organization).order_by("name"))
        previews = schedule_previews(schedules=rows, start=clock.now())
        for schedule in rows:
            preview = previews[schedule.pk]
            first = preview.days[0].covers[0] if preview.days and preview.days[0].covers else None
            schedules.append({
                "schedule": schedule,
                "now": first.user if first is not None else None,
                "preview": preview,
                "feed": request.build_absolute_uri(schedule_feed_path(schedule=schedule, user=request.user,
                                                                      secret=secret)),
            })
    my_feed = request.build_absolute_uri(person_feed_path(user=request.user, secret=secret))
    return desk_render(request, "crisis/oncall_schedule.html", {
        "organization": organization, "schedules": schedules, "my_feed": my_feed, "days": PREVIEW_DAYS,
        "abilities": abilities, "members": members,
    })
