"""A whole stakeholder list written at once: all rows or none, matched to the list by email or handle."""

from dataclasses import dataclass

from django.db import transaction

from crisis import clock
from crisis.models import Organization, Role
from crisis.services.access import membership_require
from crisis.services.audit import audit_record

from ..models import Stakeholder
from ..stakeholder_csv import stakeholder_rows_read
from .stakeholders import EDITABLE, stakeholder_fields_clean


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def stakeholders_import(*, organization: Organization, actor, text: str) -> ImportResult:
    """Importing the same file twice changes nothing the second time: a row whose email (else handle) is on
    the list already replaces that entry's fields; a row that says the same as the entry leaves it alone."""
    membership_require(user=actor, organization=organization, role=Role.RESPONDER)
    rows = [stakeholder_fields_clean(row.fields) for row in stakeholder_rows_read(text)]
    keys = [row["natural_key"] for row in rows]
    existing = {s.natural_key: s for s in Stakeholder.objects.select_for_update()
                .filter(organization=organization, natural_key__in=keys)}
    now = clock.recorded_now()
    created, changed = [], []
    for fields in rows:
        known = existing.get(fields["natural_key"])
        if known is None:
            created.append(Stakeholder(organization=organization, created_by=actor, created_at=now, updated_at=now,
                                       **fields))
        elif any(getattr(known, name) != fields[name] for name in EDITABLE):
            for name in EDITABLE:
                setattr(known, name, fields[name])
            known.version += 1
            known.updated_at = now
            changed.append(known)
    Stakeholder.objects.bulk_create(created, batch_size=500)
    Stakeholder.objects.bulk_update(changed, [*EDITABLE, "version", "updated_at"], batch_size=500)
    result = ImportResult(created=len(created), updated=len(changed), unchanged=len(rows) - len(created) - len(changed))
    audit_record(organization=organization, actor=actor, action="stakeholder.import", obj=organization,
                 changes={"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
    return result
