"""The dashboard's rows: open incidents, most urgent first, and the statements waiting for the reader's approval,
each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, Min, Prefetch, Q

from crisis import clock
from crisis.durations import duration_label, minutes_between
from crisis.models import (
    OPEN_STATUSES,
    AuditEntry,
    DeadlineState,
    Incident,
    Organization,
    SentimentCheckpoint,
    Statement,
    StatementStatus,
    StatementVersion,
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


@dataclass
class ApprovalRow:
    statement: Statement
    submitted_by: object | None  # the user who asked for approval, when the audit still names them
    submitted_at: datetime | None

    @property
    def waited(self) -> str:
        return duration_label(minutes_between(self.submitted_at, clock.recorded_now()))


def _bare(words: str) -> str:
    # The rule of crisis.services.statements._has_written: whitespace does not make a text somebody else's.
    return "".join(words.split())


def approval_queue(*, user, organization: Organization) -> list[ApprovalRow]:
    """Statements in review that ``user`` may approve, longest waiting first, in three queries.

    Not their own words: statement_approve refuses an approver whose text it is, so the queue leaves it out.
    """
    statements = list(
        Statement.objects.filter(incident__organization=organization, status=StatementStatus.IN_REVIEW)
        .select_related("incident", "current_version")
    )
    if not statements:
        return []
    written: dict[int, set[str]] = {}
    for statement_id, body in StatementVersion.objects.filter(
        statement__in=statements, author=user
    ).values_list("statement_id", "body"):
        written.setdefault(statement_id, set()).add(_bare(body))
    statements = [s for s in statements if _bare(s.current_version.body) not in written.get(s.pk, set())]
    submissions = {}
    for entry in AuditEntry.objects.filter(
        action="statement.submit", object_type=Statement._meta.label_lower,
        object_id__in=[str(s.pk) for s in statements],
    ).select_related("actor").order_by("created_at", "id"):
        submissions[entry.object_id] = entry  # the latest submission wins
    rows = []
    for statement in statements:
        entry = submissions.get(str(statement.pk))
        rows.append(ApprovalRow(statement=statement, submitted_by=entry.actor if entry else None,
                                submitted_at=entry.created_at if entry else None))
    return sorted(rows, key=lambda row: (row.submitted_at or FAR_FUTURE, row.statement.pk))
