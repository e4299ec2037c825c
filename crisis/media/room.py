"""The room's inquiries panel: open questions with their reply-by countdown, a form to log one, and who was
briefed with which statement."""

from django.db.models import Count, OuterRef, Subquery, Sum

from crisis.models import Incident
from crisis.web.room_extensions import SIDE, RoomPanel

from .forms import QuickInquiryForm
from .models import Briefing, Inquiry, Stakeholder
from .selectors import ROOM_BRIEFINGS_SHOWN, ROOM_INQUIRIES_SHOWN, briefings_recent, inquiries_open


def stakeholder_choices(organization) -> list[tuple[int, str]]:
    return [(pk, f"{name} ({outlet})" if outlet else name) for pk, name, outlet in
            Stakeholder.objects.filter(organization=organization).values_list("pk", "name", "outlet")]


def inquiries_context(request, incident, abilities) -> dict:
    open_rows = list(inquiries_open(incident)[:ROOM_INQUIRIES_SHOWN + 1])
    context = {
        "inquiries_open": open_rows[:ROOM_INQUIRIES_SHOWN],
        "inquiries_more": len(open_rows) > ROOM_INQUIRIES_SHOWN,
        "briefings": list(briefings_recent(incident)[:ROOM_BRIEFINGS_SHOWN]),
    }
    if abilities.can_respond:
        # Reads nothing: the room polls and re-renders this panel, so the choices that take queries (the stakeholder
        # list, the members, the published statements) live on the full forms a link away.
        context["inquiry_form"] = QuickInquiryForm(zone=incident.time_zone)
    return context


def _per_incident(queryset, total) -> Subquery:
    return Subquery(queryset.filter(incident=OuterRef("pk")).order_by().values("incident")
                    .annotate(total=total).values("total"))


def inquiries_fingerprint(incident_id: int) -> str:
    """One query: an inquiry logged, answered or closed (each bumps its version) or a briefing moves it."""
    row = Incident.objects.filter(pk=incident_id).values_list(
        _per_incident(Inquiry.objects, Count("id") + Sum("version")),
        _per_incident(Briefing.objects, Count("id"))).first()
    return "-".join(str(part or 0) for part in (row or ()))


def inquiries_panel() -> RoomPanel:
    return RoomPanel(name="inquiries", template="crisis_media/room_inquiries.html", context=inquiries_context,
                     fingerprint=inquiries_fingerprint, column=SIDE, order=50)
