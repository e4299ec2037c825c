"""Pages sent and time to acknowledge, for the post-mortem.

On-call paging belongs to ``crisis.oncall`` (another team's app). Its ``Page`` model is read through
the app registry, so reports keep working if that app is not installed: then the report falls back
to the timeline's "page" events and the incident's own acknowledgement time (``source: "timeline"``).
"""

from statistics import median

from django.apps import apps

from crisis.durations import minutes_between
from crisis.models import EventKind, Incident


def _page_model():
    if not apps.is_installed("crisis.oncall"):
        return None
    try:
        return apps.get_model("crisis_oncall", "Page")
    except LookupError:
        return None


def pages_summary(*, incident: Incident, timeline: list[dict]) -> dict:
    page_model = _page_model()
    if page_model is None:
        return _from_timeline(incident, timeline)
    pages = list(page_model.objects.filter(incident=incident).exclude(source="test")
                 .select_related("acknowledged_by").order_by("triggered_at", "id"))
    waits = [minutes_between(p.triggered_at, p.acknowledged_at) for p in pages if p.acknowledged_at]
    return {
        "source": "oncall",
        "sent": len(pages),
        "acknowledged": len(waits),
        "first_page_at": pages[0].triggered_at if pages else None,
        # The first page is the one that matters at 2 a.m.: how long until somebody owned the crisis.
        "time_to_acknowledge_minutes": waits[0] if pages and pages[0].acknowledged_at else None,
        "median_time_to_acknowledge_minutes": round(median(waits), 1) if waits else None,
        "items": [{
            "title": p.text_title, "source": p.source, "state": p.state, "triggered_at": p.triggered_at,
            "acknowledged_at": p.acknowledged_at,
            "acknowledged_by": (p.acknowledged_by.get_full_name() or p.acknowledged_by.get_username())
            if p.acknowledged_by else None,
            "minutes_to_acknowledge": minutes_between(p.triggered_at, p.acknowledged_at),
        } for p in pages],
    }


def _from_timeline(incident: Incident, timeline: list[dict]) -> dict:
    page_events = [e for e in timeline if e["kind"] == EventKind.PAGE and not e["corrects"]]
    first = page_events[0]["occurred_at"] if page_events else None
    wait = minutes_between(first or incident.detected_at, incident.acknowledged_at)
    return {
        "source": "timeline",
        "sent": len(page_events),
        "acknowledged": 1 if incident.acknowledged_at else 0,
        "first_page_at": first,
        "time_to_acknowledge_minutes": wait,
        "median_time_to_acknowledge_minutes": wait,
        "items": [],
    }
