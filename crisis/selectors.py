"""Reads shared by pages, the API and reports. Every query is scoped to what the user may see."""

import zoneinfo
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from crisis.models import Incident, Organization, SentimentCheckpoint, TimelineEvent


def organizations_for_user(*, user) -> QuerySet[Organization]:
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user)


def incidents_for_user(*, user) -> QuerySet[Incident]:
    return Incident.objects.filter(organization__in=organizations_for_user(user=user)).select_related(
        "organization", "commander", "spokesperson"
    )


def incident_timeline(*, incident: Incident, kind: str | None = None) -> QuerySet[TimelineEvent]:
    """Pinned first, then time order; each event carries its correction (if any) without extra queries."""
    events = TimelineEvent.objects.filter(incident=incident).select_related("actor", "corrects")
    if kind:
        events = events.filter(kind=kind)
    return events.prefetch_related(Prefetch("corrections", queryset=TimelineEvent.objects.select_related("actor")))


def sentiment_series(*, incident: Incident) -> list[SentimentCheckpoint]:
    """The checkpoints as they stand after corrections: a corrected point is replaced by its correction."""
    checkpoints = list(SentimentCheckpoint.objects.filter(incident=incident).order_by("measured_at", "id"))
    corrected = {cp.corrects_id for cp in checkpoints if cp.corrects_id}
    return [cp for cp in checkpoints if cp.pk not in corrected]


def local_time(moment: datetime | None, zone: str) -> datetime | None:
    """Stored instants are UTC; people read them in the incident's zone."""
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def incident_deadlines(*, incident: Incident):
    from crisis.models import Deadline

    return Deadline.objects.filter(incident=incident).order_by("due_at", "id")


def golden_hours_deadline_filter(prefix: str = "") -> Q:
    """Deadlines owed to the public (playbook steps, surge responses) that still count.

    An escalation timer belongs to a page (crisis.oncall), not to the golden hours, and a cancelled
    deadline is owed by nobody: the room and the dashboard both count through this, so they agree.
    ``prefix`` reaches the deadlines through a relation, e.g. ``"deadlines__"`` from incidents.
    """
    from crisis.models import DeadlineKind, DeadlineState

    return ~Q(**{f"{prefix}kind": DeadlineKind.ESCALATION}) & ~Q(**{f"{prefix}state": DeadlineState.CANCELLED})


def golden_hours_deadlines(*, incident: Incident):
    """The deadlines the room's golden clock shows: see golden_hours_deadline_filter."""
    return incident_deadlines(incident=incident).filter(golden_hours_deadline_filter())
