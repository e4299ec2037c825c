"""The post-mortem's part of "thorns": the incidents linked to this one (both reports show the link), and
which action items are still open, shown first because they are what flares up in the next crisis."""

from django.db.models import Count, Q

from crisis.models import Incident

from .action_item_deadlines import OPEN_ITEM_STATUSES


def related_incidents_assemble(incident: Incident) -> list[dict]:
    rows = (incident.related_incidents.annotate(
        open_items=Count("action_items", filter=Q(action_items__status__in=OPEN_ITEM_STATUSES)))
        .order_by("first_public_signal_at", "pk"))
    return [{"id": other.pk, "title": other.title, "status": other.status, "status_label": other.get_status_display(),
             "first_public_signal_at": other.first_public_signal_at, "open_action_items": other.open_items}
            for other in rows]


def open_action_items(report: dict) -> list[dict]:
    return [item for item in report["action_items"] if item.get("is_open")]
