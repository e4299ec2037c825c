from django.db.models import QuerySet

from crisis.models import Incident, Organization

from .models import Briefing, Inquiry, InquiryState, Stakeholder

ROOM_INQUIRIES_SHOWN = 20
ROOM_BRIEFINGS_SHOWN = 5


def stakeholders_of(organization: Organization, *, tag: str = "") -> list[Stakeholder] | QuerySet[Stakeholder]:
    rows = Stakeholder.objects.filter(organization=organization)
    if tag:
        return [s for s in rows if tag in s.tags]
    return rows


def stakeholder_tags(organization: Organization) -> list[str]:
    tags: set[str] = set()
    for row in Stakeholder.objects.filter(organization=organization).values_list("tags", flat=True):
        tags.update(row)
    return sorted(tags)


def inquiries_open(incident: Incident) -> QuerySet[Inquiry]:
    return (Inquiry.objects.filter(incident=incident, state=InquiryState.OPEN)
            .select_related("owner", "stakeholder").order_by("reply_by", "id"))


def briefings_recent(incident: Incident) -> QuerySet[Briefing]:
    return (Briefing.objects.filter(incident=incident).select_related("statement", "actor")
            .order_by("-briefed_at", "-id"))
