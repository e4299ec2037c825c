"""Promises found in a statement's text, offered to its author; none is tracked until confirmed."""

from datetime import datetime

from django.db import transaction

from crisis import clock
from crisis.models import Role, Statement, StatementStatus
from crisis.services.access import membership_require
from crisis.services.audit import audit_record

from ..extraction import commitments_find
from ..models import Commitment, CommitmentState


@transaction.atomic
def commitment_suggest(*, statement: Statement, actor) -> list[Commitment]:
    """Read the statement's current text for promises, due times resolved against its publication time (now
    for a draft: a preview, read again when it goes out). Suggestions the text no longer makes go; sentences
    already suggested, confirmed or dismissed are not offered again."""
    membership_require(user=actor, organization=statement.incident.organization, role=Role.RESPONDER)
    body = statement.current_version.body if statement.current_version_id else ""
    found = commitments_find(text=body, published_at=_publication_time(statement),
                             zone=statement.incident.time_zone)
    known = set(Commitment.objects.filter(statement=statement).values_list("text", flat=True))
    fresh = [item for item in found if item.sentence[:500] not in known]
    # A suggestion still in the text keeps its id (a client may hold it); one the text no longer says goes.
    still_said = {item.sentence[:500] for item in found}
    Commitment.objects.filter(statement=statement, state=CommitmentState.SUGGESTED).exclude(
        text__in=still_said).delete()
    created = Commitment.objects.bulk_create([
        Commitment(incident=statement.incident, statement=statement, text=item.sentence[:500],
                   due_phrase=item.phrase[:120], due_at=item.due_at, audience=item.audience,
                   audience_name=item.audience_name[:120], owner=actor, created_by=actor)
        for item in fresh
    ])
    audit_record(organization=statement.incident.organization, actor=actor, action="commitment.suggest",
                 obj=statement, changes={"found": len(found), "offered": len(created)})
    return list(Commitment.objects.filter(statement=statement).order_by("due_at", "id"))


def _publication_time(statement: Statement) -> datetime:
    if statement.status in (StatementStatus.PUBLISHED, StatementStatus.RETRACTED) and statement.published_at:
        return statement.published_at
    return clock.now()
