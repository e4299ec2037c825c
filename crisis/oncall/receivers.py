"""Paging listens to the deadline engine; the engine knows nothing of pages.

Breaches reach on-call through the engine's consumer registry (crisis/timers/consumers.py), settled alarms
through a signal (crisis.playbooks.signals). Calendar links listen to memberships ending; the membership
services know nothing of calendars."""

from django.db.models.signals import post_delete

from crisis.models import Breach, Deadline, Membership
from crisis.playbooks.signals import deadline_alarm_settled
from crisis.services.errors import InvalidTransition
from crisis.system_lines import Message, line

from . import dispatch
from .dispatch import ARRIVAL_PREFIX
from .models import Page, PageState

OPEN_STATES = (PageState.TRIGGERED, PageState.ACKNOWLEDGED)


def _resolve(pages, *, actor, note: Message | str) -> int:
    from .services.pages import page_resolve

    resolved = 0
    for page in pages:
        try:
            page_resolve(page=page, actor=actor, note=note)
        except InvalidTransition:
            continue  # resolved by someone else a moment ago
        resolved += 1
    return resolved


def breaches_page(*, breaches: list[Breach]) -> None:
    """The engine's dispatch announces breaches it holds locked: page for them, or move escalating pages up.
    Looked up on the module at each call, so a test can stand in for it."""
    dispatch.breaches_alert(breaches=breaches)


def alarm_settled(sender, *, deadline: Deadline, breaches: list[Breach], retracted: bool, actor, reason: str,
                  reason_line: Message | None = None, **kwargs) -> int:
    """A breached deadline is done after all: its page asks nothing more of anyone. The one page of an
    incident logged late is resolved once every deadline it listed is done."""
    if not breaches:
        return 0
    note = line("page.note.false_alarm" if retracted else "page.note.met_late", why=reason_line or reason)
    own = Page.objects.filter(breach__in=breaches, state__in=OPEN_STATES).exclude(
        dedup_key__startswith=ARRIVAL_PREFIX).select_related("incident", "organization")
    resolved = _resolve(own, actor=actor, note=note)
    if any(b.is_on_arrival for b in breaches):
        still_owed = Breach.objects.filter(incident_id=deadline.incident_id, is_on_arrival=True,
                                           retracted_at__isnull=True, deadline__met_at__isnull=True).exists()
        if not still_owed:
            arrival = Page.objects.filter(incident_id=deadline.incident_id, state__in=OPEN_STATES,
                                          dedup_key__startswith=f"{ARRIVAL_PREFIX}{deadline.incident_id}:")
            resolved += _resolve(arrival.select_related("incident", "organization"), actor=actor,
                                 note=line("page.note.arrival_met"))
    return resolved


def membership_ended(sender, *, instance: Membership, **kwargs) -> None:
    """The feeds check the membership on every request already; rotating too means that being added again
    later revives none of the links made out before."""
    from .services.calendars import calendar_secret_forget

    calendar_secret_forget(user_id=instance.user_id)


def connect() -> None:
    deadline_alarm_settled.connect(alarm_settled, dispatch_uid="oncall.alarm_settled")
    post_delete.connect(membership_ended, sender=Membership, dispatch_uid="oncall.membership_ended")
