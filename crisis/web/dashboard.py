"""The dashboard's rows: open incidents, most urgent first, and the statements waiting for the reader's approval,
each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, Min, Prefetch, Q

from crisis import clock
from crisis.approvals.selectors import ApprovalRow, approvals_waiting
from crisis.models import (
    OPEN_STATUSES,
    DeadlineState,
    Incident,
    Organization,
    SentimentCheckpoint,
)
from crisis.selectors import golden_hours_deadline_filter

from .chart import sparkline

TREND_POINTS = 8
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass
class DashboardRow:
    incident: Incident
    next_due_at: datetime | None
    breached_count: int
    negative_share: float | None
    trend: str
    # crisis.listening's reading: the sentiment level and the severity it suggests, if any.
    sentiment: object = None

    @property
    def seconds_to_next(self) -> float | None:
        if self.next_due_at is None:
            return None
        return (self.next_due_at - clock.now()).total_seconds()


def _urgency(row: DashboardRow) -> tuple:
    # Severity first (a SEV1 outranks any SEV3 deadline), then whatever is overdue, then what is due soonest.
    return (row.incident.severity, -row.breached_count, row.next_due_at or FAR_FUTURE)


def dashboard_rows(*, organization: Organization) -> list[DashboardRow]:
    # The same deadlines the room's clock counts: a page's escalation timer is not a golden-hours deadline.
    counted = golden_hours_deadline_filter("deadlines__")
    incidents = (
        Incident.objects.filter(organization=organization, status__in=OPEN_STATUSES)
        .select_related("commander", "organization")
        .annotate(
            next_due_at=Min("deadlines__due_at", filter=counted & Q(deadlines__state=DeadlineState.PENDING)),
            breached_count=Count("deadlines", filter=counted & Q(deadlines__state=DeadlineState.BREACHED),
                                 distinct=True),
        )
        .prefetch_related(Prefetch(
            "checkpoints",
            queryset=SentimentCheckpoint.objects.filter(negative_share__isnull=False)
            .only("id", "incident_id", "measured_at", "negative_share", "corrects_id")
            .order_by("measured_at", "id"),
            to_attr="negative_points",
        ))
    )
    rows = []
    for incident in incidents:
        corrected = {cp.corrects_id for cp in incident.negative_points if cp.corrects_id}
        shares = [cp.negative_share for cp in incident.negative_points if cp.pk not in corrected][-TREND_POINTS:]
        rows.append(DashboardRow(
            incident=incident, next_due_at=incident.next_due_at, breached_count=incident.breached_count,
            negative_share=shares[-1] if shares else None, trend=sparkline(shares),
        ))
    from crisis.listening.selectors import sentiment_readings_for

    readings = sentiment_readings_for([row.incident for row in rows])
    for row in rows:
        row.sentiment = readings.get(row.incident.pk)
    return sorted(rows, key=_urgency)


def approval_queue(*, user, organization: Organization) -> list[ApprovalRow]:
    """What waits for ``user``'s approval in ``organization``: the step of a chain that names them, or a statement
    of a kind with no chain (crisis.approvals.selectors)."""
    return approvals_waiting(user=user, organizations=[organization])
