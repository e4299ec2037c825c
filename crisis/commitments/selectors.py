"""Reads the room, the statement page, the API and the post-mortem share."""

from django.db.models import QuerySet

from crisis.models import Incident, Statement

from .models import Commitment, CommitmentState

TRACKED = (CommitmentState.OPEN, CommitmentState.KEPT, CommitmentState.WITHDRAWN)


def commitments_of_statement(*, statement: Statement) -> QuerySet[Commitment]:
    return (Commitment.objects.filter(statement=statement).select_related("owner", "deadline")
            .order_by("due_at", "id"))


def commitments_open(*, incident: Incident) -> QuerySet[Commitment]:
    return (Commitment.objects.filter(incident=incident, state=CommitmentState.OPEN)
            .select_related("owner", "statement", "deadline").order_by("due_at", "id"))


def commitments_tracked(*, incident: Incident) -> QuerySet[Commitment]:
    return (Commitment.objects.filter(incident=incident, state__in=TRACKED)
            .select_related("owner", "statement").order_by("due_at", "id"))
