"""The room's comms panel: the freeze banner, first-hour templates one click from a draft, and the way to log
an off-script post (crisis/web/room_extensions.py)."""

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from crisis.models import OPEN_STATUSES, Incident
from crisis.web.room_extensions import MAIN, RoomPanel, room_panel_register

from .models import FreezeEntry, FreezePolicy
from .selectors import DEFAULT_THRESHOLD, freeze_state, templates_for_incident


def comms_context(request, incident, abilities) -> dict:
    return {"comms_freeze": freeze_state(organization_id=incident.organization_id, for_banner=True),
            "comms_templates": templates_for_incident(incident=incident) if abilities.can_respond else []}


def comms_fingerprint(incident_id: int) -> str:
    """One query: the policy's version, the list's size and the organization's open incidents (their versions
    move with every severity or status change), which is all the banner depends on."""
    org = OuterRef("organization")
    open_incidents = (Incident.objects.filter(organization=org, status__in=OPEN_STATUSES).order_by()
                      .values("organization").annotate(n=Count("id"), v=Sum("version")))
    row = Incident.objects.filter(pk=incident_id).annotate(
        policy=Coalesce(Subquery(FreezePolicy.objects.filter(organization=org).values("version")[:1]), 0),
        threshold=Coalesce(Subquery(FreezePolicy.objects.filter(organization=org)
                                    .values("severity_threshold")[:1]), DEFAULT_THRESHOLD),
        entries=Coalesce(Subquery(FreezeEntry.objects.filter(organization=org).order_by().values("organization")
                                  .annotate(n=Count("id")).values("n")[:1]), 0),
        open_n=Coalesce(Subquery(open_incidents.values("n")[:1]), 0),
        open_v=Coalesce(Subquery(open_incidents.values("v")[:1]), 0),
    ).values_list("policy", "threshold", "entries", "open_n", "open_v").first()
    return ":".join(map(str, row or ()))


def panels_register() -> None:
    room_panel_register(RoomPanel(name="comms", template="comms/partials/room_comms.html", context=comms_context,
                                  fingerprint=comms_fingerprint, column=MAIN, order=10))
