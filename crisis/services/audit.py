from typing import Any

from django.db import models

from crisis.models import AuditEntry, Organization

from .origin import current_origin


def audit_entry(
    *, organization: Organization | None, actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """An unsaved row, for services that write many at once with bulk_create."""
    origin = current_origin()
    return AuditEntry(
        organization=organization,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        changes=changes or {},
        via=origin.via,
        ip_address=origin.ip_address,
    )


def audit_record(
    *, organization: Organization | None, actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None
) -> AuditEntry:
    entry = audit_entry(organization=organization, actor=actor, action=action, obj=obj, changes=changes)
    entry.save()
    return entry
