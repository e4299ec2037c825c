"""Recording that a published statement went to a list of stakeholders (everyone carrying one of some tags)."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import EventKind, Incident, Role, StatementStatus
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import InvalidTransition
from crisis.services.statements import statement_label
from crisis.services.timeline import timeline_event_append
from crisis.services.validation import FieldErrors, check_happened_at
from crisis.system_lines import joined, line

from .. import lines  # noqa: F401 (the line below must be registered before it is written)
from ..models import Briefing, Stakeholder
from .references import incident_statement
from .stakeholders import TAG_MAX, TAGS_MAX, tags_normalized


def stakeholders_tagged(*, organization_id: int, tags: list[str]) -> list[Stakeholder]:
    """Everyone on the list who carries at least one of ``tags``. Read in Python: JSON containment is not
    portable across databases, and one organization's list is thousands of rows at most."""
    wanted = set(tags)
    return [s for s in Stakeholder.objects.filter(organization_id=organization_id).only("id", "name", "tags")
            if wanted.intersection(s.tags)]


@transaction.atomic
def stakeholders_brief(*, incident: Incident, actor, statement_id: int, tags: list[str],
                       briefed_at: datetime | None = None) -> Briefing:
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    briefed_at = briefed_at or clock.now()
    errors = FieldErrors()
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags) or not tags_normalized(tags):
        errors.add("tags", _("Choose at least one tag."))
    elif len(tags) > TAGS_MAX or any(len(t.strip()) > TAG_MAX for t in tags):
        errors.add("tags", _("At most %(n)d tags of %(m)d characters.") % {"n": TAGS_MAX, "m": TAG_MAX})
    check_happened_at(errors, "briefed_at", briefed_at, first_public_signal_at=incident.first_public_signal_at)
    errors.raise_if_any()
    statement = incident_statement(incident=incident, statement_id=statement_id)
    if statement.status != StatementStatus.PUBLISHED:
        raise InvalidTransition(_("Only a published statement can be sent to stakeholders."), field="statement")
    tags = tags_normalized(tags)
    recipients = stakeholders_tagged(organization_id=incident.organization_id, tags=tags)
    if not recipients:
        errors.add("tags", _("Nobody on the stakeholder list carries these tags."))
        errors.raise_if_any()
    briefing = Briefing.objects.create(incident=incident, statement=statement, tags=tags,
                                       recipient_count=len(recipients), briefed_at=briefed_at,
                                       recorded_at=clock.recorded_now(), actor=actor)
    briefing.recipients.set(recipients)
    metadata = {"briefing_id": briefing.pk, "statement_id": statement.pk, "tags": tags,
                "recipient_count": len(recipients)}
    timeline_event_append(incident=incident, kind=EventKind.ACTION, actor=actor, occurred_at=briefed_at,
                          metadata=metadata,
                          line=line("stakeholders.briefed", n=len(recipients), tags=joined(tags),
                                    s=statement_label(statement)))
    audit_record(organization=incident.organization, actor=actor, action="stakeholders.brief", obj=briefing,
                 changes={**metadata, "recipients": sorted(s.pk for s in recipients)})
    return briefing
