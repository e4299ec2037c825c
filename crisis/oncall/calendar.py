"""iCalendar feeds: a schedule's shifts, or one person's shifts across their organizations' schedules.

Every feed link is made out to one person (links.calendar_token) and answers only while that person is active,
still holds the secret it carries (services.calendars), and, for a schedule, is still a member of its
organization. Anything else is a 404, so a removed member's calendar stops showing who is on call at once."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from crisis.models import Membership

from .links import AckLinkInvalid, calendar_token, calendar_token_read
from .models import CalendarSecret, Schedule
from .selectors import OnCallSpan, schedule_spans
from .services.calendars import calendar_secret_for

FEED_DAYS = 60


def person_feed_path(*, user, secret: str | None = None) -> str:
    secret = secret or calendar_secret_for(user=user)
    return reverse("oncall:person-feed", args=[calendar_token(kind="person", pk=user.pk, user_id=user.pk,
                                                              secret=secret)])


def schedule_feed_path(*, schedule: Schedule, user, secret: str | None = None) -> str:
    secret = secret or calendar_secret_for(user=user)
    return reverse("oncall:schedule-feed", args=[calendar_token(kind="schedule", pk=schedule.pk, user_id=user.pk,
                                                                secret=secret)])


def _feed_holder(token: str, *, kind: str):
    """(person, feed id) for a link still in force, or AckLinkInvalid."""
    pk, user_id, secret = calendar_token_read(token, kind=kind)
    row = CalendarSecret.objects.select_related("user").filter(user_id=user_id).first()
    if row is None or not row.user.is_active or not constant_time_compare(row.secret, secret):
        raise AckLinkInvalid(_("This calendar link is no longer valid."))
    return row.user, pk


def schedule_for_link(token: str) -> Schedule:
    user, schedule_id = _feed_holder(token, kind="schedule")
    schedule = Schedule.objects.filter(pk=schedule_id, organization__memberships__user=user).first()
    if schedule is None:
        raise AckLinkInvalid(_("This calendar link is no longer valid."))
    return schedule


def person_for_link(token: str):
    user, user_id = _feed_holder(token, kind="person")
    if user_id != user.pk or not Membership.objects.filter(user=user).exists():
        raise AckLinkInvalid(_("This calendar link is no longer valid."))
    return user


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
