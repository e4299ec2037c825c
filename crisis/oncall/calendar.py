"""iCalendar feeds: a schedule's shifts, or one person's shifts across their organizations' schedules."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from crisis.models import Membership

from .models import Schedule
from .selectors import OnCallSpan, schedule_spans

FEED_DAYS = 60


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Golden Hours//On call//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal


def _event(span: OnCallSpan, schedule: Schedule, who: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"{span.uid}-{schedule.pk}@golden-hours")
    event.add("dtstamp", stamp)
    event.add("dtstart", span.starts_at)
    event.add("dtend", span.ends_at)
    event.add("summary", _("On call: %(who)s (%(schedule)s)") % {"who": who, "schedule": schedule.name})
    event.add("description", span.label)
    return event


def _names(user_ids: set[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=user_ids)
    return {u.pk: u.get_full_name() or u.get_username() for u in users}


def schedule_ical(*, schedule: Schedule, start: datetime, days: int = FEED_DAYS) -> bytes:
    spans = schedule_spans(schedule=schedule, start=start, end=start + timedelta(days=days))
    names = _names({s.user_id for s in spans})
    cal = _calendar(schedule.name)
    for span in spans:
        cal.add_component(_event(span, schedule, names.get(span.user_id, "?"), start))
    return cal.to_ical()


def person_ical(*, user, start: datetime, days: int = FEED_DAYS) -> bytes:
    organizations = Membership.objects.filter(user=user).values("organization_id")
    cal = _calendar(_("On call: %(who)s") % {"who": user.get_full_name() or user.get_username()})
    who = user.get_full_name() or user.get_username()
    for schedule in Schedule.objects.filter(organization_id__in=organizations):
        for span in schedule_spans(schedule=schedule, start=start, end=start + timedelta(days=days)):
            if span.user_id == user.pk:
                cal.add_component(_event(span, schedule, who, start))
    return cal.to_ical()
