"""Links between incidents: "this is the battery fire of March again". A link is symmetrical (both incidents
list each other) and is written on both timelines and in the audit log; both post-mortems show it."""

from django.db import transaction
from django.utils.translation import gettext as _

from crisis.models import EventKind, Incident, Role
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import InvalidInput
from crisis.services.timeline import timeline_event_append
from crisis.system_lines import line

from . import lines  # noqa: F401  (registers this feature's system lines)

RelatedLink = Incident.related_incidents.through


def _lock_pair(incident: Incident, other: Incident) -> None:
    # Both rows, in id order, so linking A-B and B-A at the same moment serialize instead of deadlocking.
    list(Incident.objects.select_for_update().filter(pk__in=[incident.pk, other.pk]).order_by("pk")
         .values_list("pk", flat=True))


def _check(incident: Incident, other: Incident | None, actor) -> None:
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    if other is None or other.organization_id != incident.organization_id:
        raise InvalidInput(_("There is no such incident in this organization."), field="incident")
    if other.pk == incident.pk:
        raise InvalidInput(_("An incident cannot be linked to itself."), field="incident")


def _is_linked(incident: Incident, other: Incident) -> bool:
    return RelatedLink.objects.filter(from_incident_id=incident.pk, to_incident_id=other.pk).exists()


def _record(incident: Incident, other: Incident, *, actor, key: str, action: str) -> None:
    for this, that in ((incident, other), (other, incident)):
        timeline_event_append(incident=this, kind=EventKind.NOTE, actor=actor,
                              line=line(key, id=that.pk, title=that.title),
                              metadata={"related_incident_id": that.pk, "linked": key == "incident.linked"})
    audit_record(organization=incident.organization, actor=actor, action=action, obj=incident,
                 changes={"incident": incident.pk, "related_incident": other.pk})


@transaction.atomic
def incident_link(*, incident: Incident, other: Incident | None, actor) -> bool:
    """Link two incidents of one organization, both ways. Returns False if they were linked already."""
    _check(incident, other, actor)
    _lock_pair(incident, other)
    if _is_linked(incident, other):
        return False
    incident.related_incidents.add(other)
    _record(incident, other, actor=actor, key="incident.linked", action="incident.link")
    return True


@transaction.atomic
def incident_unlink(*, incident: Incident, other: Incident | None, actor) -> bool:
    """Remove the link both ways. Returns False if there was none."""
    _check(incident, other, actor)
    _lock_pair(incident, other)
    if not _is_linked(incident, other):
        return False
    incident.related_incidents.remove(other)
    _record(incident, other, actor=actor, key="incident.unlinked", action="incident.unlink")
    return True
