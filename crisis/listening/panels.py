"""The room's two listening panels: the sentiment level (with its suggestion) and the distance to baseline."""

from crisis.models import Severity
from crisis.web.room_extensions import MAIN, RoomPanel, room_panel_register

from .figures import MEASURE_LABELS, figure_value
from .models import SentimentLevel
from .selectors import Snapshot, baseline_for, listening_fingerprint, listening_snapshot, sentiment_level_reading


def _snapshot(request, incident) -> Snapshot:
    """Both panels read the same rows: once per request."""
    cached = getattr(request, "_listening_snapshot", None)
    if cached is None or cached.incident.pk != incident.pk:
        cached = request._listening_snapshot = listening_snapshot(incident)
    return cached


def _level_context(request, incident, abilities) -> dict:
    reading = sentiment_level_reading(incident, _snapshot(request, incident))
    suggestion = reading.suggestion
    return {
        "listening_level": SentimentLevel(reading.state.level),
        "listening_level_entered_at": reading.state.entered_at,
        "listening_figures": _figures(reading.state.figures),
        "listening_suggestion": suggestion,
        "listening_suggested_severity": Severity(suggestion.suggested_severity).label if suggestion else "",
        "listening_last_decision": reading.last_decision,
    }


def _figures(figures) -> list[dict]:
    return [{"source": f.source, "measure": MEASURE_LABELS[f.measure], "value": figure_value(f.measure, f.value),
             "threshold": figure_value(f.measure, f.threshold), "measured_at": f.measured_at} for f in figures]


def _baseline_context(request, incident, abilities) -> dict:
    view = baseline_for(incident, _snapshot(request, incident))
    return {
        "baseline": view,
        "baseline_rows": [{"source": d.source, "measure": MEASURE_LABELS[d.measure],
                           "baseline": figure_value(d.measure, d.baseline),
                           "current": figure_value(d.measure, d.current), "is_back": d.is_back,
                           "change": _change(d)} for d in view.distances],
        "baseline_can_resolve": incident.can_transition_to("resolved"),
    }


def _change(distance) -> str:
    if distance.measure == "negative_share":
        return f"{distance.difference * 100:+.1f} pt"
    if distance.relative is None:
        return f"{distance.difference:+,.0f}"
    return f"{distance.relative * 100:+.0f}%"


def panels_register() -> None:
    room_panel_register(RoomPanel(name="sentiment_level", template="crisis/listening/room_level.html",
                                  context=_level_context, fingerprint=listening_fingerprint, column=MAIN, order=20))
    room_panel_register(RoomPanel(name="baseline", template="crisis/listening/room_baseline.html",
                                  context=_baseline_context, fingerprint=listening_fingerprint, order=30))
