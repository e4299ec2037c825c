"""Reads of approval chains: what waits for a person, and how far a statement has come along its chain."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db.models import F

from crisis import clock
from crisis.durations import duration_label, minutes_between
from crisis.models import AuditEntry, Statement, StatementStatus, StatementVersion

from .models import ApprovalChain, ReviewState, StatementReview, StatementReviewStep

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass
class ApprovalRow:
    """A statement waiting for the reader: the step of its chain that is theirs, or (a kind with no chain)
    the one approval any approver may give."""

    statement: Statement
    submitted_by: object | None  # who asked for approval, when the record still names them
    submitted_at: datetime | None
    step: StatementReviewStep | None = None
    step_count: int = 1

    @property
    def waiting_since(self) -> datetime | None:
        return self.step.started_at if self.step is not None else self.submitted_at

    @property
    def waited(self) -> str:
        return duration_label(minutes_between(self.waiting_since, clock.now()))

    @property
    def due_at(self) -> datetime | None:
        return self.step.due_at if self.step is not None else None

    @property
    def limit_minutes(self) -> int | None:
        return self.step.limit_seconds // 60 if self.step is not None else None

    @property
    def is_overdue(self) -> bool:
        return self.due_at is not None and self.due_at <= clock.now()


def _bare(words: str) -> str:
    # The rule of crisis.services.statements._writers: whitespace does not make a text somebody else's.
    return "".join(words.split())


def approvals_waiting(*, user, organizations) -> list[ApprovalRow]:
    """Statements in review in ``organizations`` that wait for ``user``, longest waiting first, in at most five
    queries whatever their number.

    Never their own words (statement_approve refuses them); on a chain, only a step naming them as approver or
    deputy, and not a statement of which they already approved a step."""
    statements = list(Statement.objects.filter(incident__organization__in=organizations,
                                               status=StatementStatus.IN_REVIEW)
                      .select_related("incident", "current_version"))
    if not statements:
        return []
    written: dict[int, set[str]] = {}
    for statement_id, body in StatementVersion.objects.filter(
            statement__in=statements, author=user).values_list("statement_id", "body"):
        written.setdefault(statement_id, set()).add(_bare(body))
    statements = [s for s in statements if _bare(s.current_version.body) not in written.get(s.pk, set())]
    steps, signed = _current_steps(statements, user=user)
    rows = []
    for statement in statements:
        step = steps.get(statement.pk)
        if step is None:
            rows.append(ApprovalRow(statement=statement, submitted_by=None, submitted_at=None))
        elif statement.pk not in signed and user.pk in (*step.approver_ids, *step.deputy_ids):
            rows.append(ApprovalRow(statement=statement, submitted_by=step.review.submitted_by,
                                    submitted_at=step.review.submitted_at, step=step,
                                    step_count=step.review.step_count))
    _add_submissions([row for row in rows if row.step is None])
    return sorted(rows, key=lambda row: (row.waiting_since or FAR_FUTURE, row.statement.pk))


def _current_steps(statements: list[Statement], *, user) -> tuple[dict[int, StatementReviewStep], set[int]]:
    if not statements:
        return {}, set()
    active = StatementReviewStep.objects.filter(review__statement__in=statements, review__state=ReviewState.ACTIVE)
    steps = {step.review.statement_id: step for step in active.filter(position=F("review__current_position"))
             .select_related("review__submitted_by")}
    signed = set(active.filter(approved_by=user).values_list("review__statement_id", flat=True)) if steps else set()
    return steps, signed


def _add_submissions(rows: list[ApprovalRow]) -> None:
    """Who submitted a statement with no chain, and when, as the audit log says (the latest submission wins)."""
    if not rows:
        return
    by_id = {str(row.statement.pk): row for row in rows}
    for entry in AuditEntry.objects.filter(
            action="statement.submit", object_type=Statement._meta.label_lower, object_id__in=list(by_id),
    ).select_related("actor").order_by("created_at", "id"):
        by_id[entry.object_id].submitted_by = entry.actor
        by_id[entry.object_id].submitted_at = entry.created_at


@dataclass
class ChainStepView:
    position: int
    name: str
    approvers: list[str]
    deputies: list[str]
    limit_minutes: int | None
    step: StatementReviewStep | None = None
    approved_by: str = ""
    is_waiting: bool = False

    @property
    def started_at(self):
        return self.step.started_at if self.step else None

    @property
    def due_at(self):
        return self.step.due_at if self.step else None

    @property
    def approved_at(self):
        return self.step.approved_at if self.step else None

    @property
    def is_overdue(self) -> bool:
        return self.is_waiting and self.due_at is not None and self.due_at <= clock.now()


@dataclass
class ChainView:
    steps: list[ChainStepView] = field(default_factory=list)
    review: StatementReview | None = None  # None: the chain this statement will go through once submitted

    @property
    def state(self) -> str:
        return self.review.state if self.review is not None else ""

    @property
    def waiting(self) -> ChainStepView | None:
        return next((step for step in self.steps if step.is_waiting), None)


def _names(user_ids) -> dict[int, str]:
    return {user.pk: user.get_full_name() or user.get_username()
            for user in get_user_model().objects.filter(pk__in=set(user_ids))}


def statement_chain(*, statement: Statement) -> ChainView | None:
    """The chain of the statement's current text: its review when submitted, else the chain of its kind as
    it stands now; None for a kind with no chain."""
    review = (StatementReview.objects.filter(statement=statement, statement_version=statement.current_version_id)
              .exclude(state=ReviewState.CANCELLED).order_by("-id").first())
    if review is not None:
        steps = list(review.steps.all())
        names = _names([pk for s in steps for pk in (*s.approver_ids, *s.deputy_ids, s.approved_by_id) if pk])
        return ChainView(review=review, steps=[ChainStepView(
            position=s.position, name=s.name, step=s, limit_minutes=s.limit_seconds // 60,
            approvers=[names.get(pk, "?") for pk in s.approver_ids],
            deputies=[names.get(pk, "?") for pk in s.deputy_ids],
            approved_by=names.get(s.approved_by_id, "") if s.approved_by_id else "",
            is_waiting=review.state == ReviewState.ACTIVE and s.position == review.current_position,
        ) for s in steps])
    chain = ApprovalChain.objects.filter(organization_id=statement.incident.organization_id,
                                         kind=statement.kind).first()
    if chain is None or not chain.steps:
        return None
    names = _names([pk for s in chain.steps for pk in (*s["approvers"], *s["deputies"])])
    return ChainView(steps=[ChainStepView(
        position=n, name=s["name"], limit_minutes=s["limit_minutes"],
        approvers=[names.get(pk, "?") for pk in s["approvers"]], deputies=[names.get(pk, "?") for pk in s["deputies"]],
    ) for n, s in enumerate(chain.steps, start=1)])
