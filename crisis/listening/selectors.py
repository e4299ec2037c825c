"""Reads shared by the room panels, the dashboard, the API and paging."""

from dataclasses import dataclass

from crisis import clock
from crisis.models import Incident, Organization, SentimentCheckpoint

from .baseline import BaselineView, _baselines, baseline_view
from .levels import LevelState, level_now
from .models import ListeningThresholds, SuggestionDecision
from .models.decisions import LEVEL_SEVERITY
from .models.thresholds import thresholds_default

POINT_FIELDS = ("id", "source", "measured_at", "negative_share", "mention_volume", "reach", "trending_rank",
                "follower_change")


def thresholds_for(organization: Organization) -> ListeningThresholds:
    return ListeningThresholds.objects.filter(organization=organization).first() or thresholds_default(organization)


def checkpoints_in_force(incident: Incident) -> list[SentimentCheckpoint]:
    """Every checkpoint that has not been corrected (a correction replaces the point it corrects)."""
    return list(SentimentCheckpoint.objects.filter(incident=incident, corrections__isnull=True)
                .only(*POINT_FIELDS).order_by("measured_at", "id"))


@dataclass
class Suggestion:
    level: int
    level_entered_at: object
    suggested_severity: int
    figures: list


@dataclass
class LevelReading:
    state: LevelState
    suggestion: Suggestion | None
    last_decision: SuggestionDecision | None


def _level_state(incident: Incident, points, thresholds) -> LevelState:
    bases = _baselines(points, incident.first_public_signal_at)
    return level_now(points, thresholds, {source: cp.mention_volume for source, cp in bases.items()})


@dataclass
class Snapshot:
    """What the level, its suggestion and the baseline are computed from: three queries, read once per request."""

    incident: Incident
    thresholds: ListeningThresholds
    points: list[SentimentCheckpoint]
    decisions: list[SuggestionDecision]


def listening_snapshot(incident: Incident) -> Snapshot:
    return Snapshot(incident=incident, thresholds=thresholds_for(incident.organization),
                    points=checkpoints_in_force(incident),
                    decisions=list(SuggestionDecision.objects.filter(incident=incident).order_by("decided_at", "id")))


def sentiment_level_reading(incident: Incident, snapshot: Snapshot | None = None) -> LevelReading:
    snapshot = snapshot or listening_snapshot(incident)
    state = _level_state(incident, snapshot.points, snapshot.thresholds)
    decided = {(d.level, d.level_entered_at) for d in snapshot.decisions}
    return LevelReading(state=state, suggestion=_suggestion(incident, state, decided),
                        last_decision=snapshot.decisions[-1] if snapshot.decisions else None)


def _suggestion(incident: Incident, state: LevelState, decided: set) -> Suggestion | None:
    """One suggestion per level change, and only when it asks for more than the incident already has."""
    severity = LEVEL_SEVERITY.get(state.level)
    if severity is None or not incident.is_open or severity >= incident.severity:
        return None
    if (state.level, state.entered_at) in decided:
        return None
    return Suggestion(level=state.level, level_entered_at=state.entered_at, suggested_severity=severity,
                      figures=[f.as_dict() for f in state.figures])


def sentiment_level_number(incident: Incident) -> int:
    """For paging: the incident's sentiment level now (0 when calm or without checkpoints)."""
    return int(_level_state(incident, checkpoints_in_force(incident), thresholds_for(incident.organization)).level)


def baseline_for(incident: Incident, snapshot: Snapshot | None = None) -> BaselineView:
    points, thresholds = ((snapshot.points, snapshot.thresholds) if snapshot
                          else (checkpoints_in_force(incident), thresholds_for(incident.organization)))
    return baseline_view(points, thresholds, first_public_signal_at=incident.first_public_signal_at, now=clock.now())


def listening_fingerprint(incident_id: int) -> str:
    """What moves the panels: a new or corrected checkpoint, a decision, the incident's severity or status.
    One query: it runs every poll of every open room."""
    from django.db.models import Count, IntegerField, Max, OuterRef, Subquery

    def _of(model, value):
        rows = model.objects.filter(incident_id=OuterRef("pk")).order_by().values("incident_id")
        return Subquery(rows.annotate(v=value).values("v")[:1])

    row = (Incident.objects.filter(pk=incident_id)
           .values_list("version", _of(SentimentCheckpoint, Count("id")), _of(SentimentCheckpoint, Max("recorded_at")),
                        _of(SuggestionDecision, Count("id", output_field=IntegerField())))
           .first())
    return ":".join(str(part) for part in row) if row else ""


def sentiment_readings_for(incidents: list[Incident]) -> dict[int, LevelReading]:
    """The dashboard's rows at once, in at most three queries whatever their number (``last_decision`` unread)."""
    if not incidents:
        return {}
    thresholds = {org.pk: thresholds_for(org) for org in {i.organization for i in incidents}}
    points: dict[int, list] = {}
    for cp in (SentimentCheckpoint.objects.filter(incident__in=incidents, corrections__isnull=True)
               .only("incident_id", *POINT_FIELDS).order_by("measured_at", "id")):
        points.setdefault(cp.incident_id, []).append(cp)
    states = {i.pk: _level_state(i, points.get(i.pk, []), thresholds[i.organization_id]) for i in incidents}
    # Decisions matter only where a suggestion could stand: most of the time nowhere, and no query.
    could_suggest = [i for i in incidents if LEVEL_SEVERITY.get(states[i.pk].level, 99) < i.severity and i.is_open]
    decided: dict[int, set] = {}
    for incident_id, level, entered_at in (SuggestionDecision.objects.filter(incident__in=could_suggest)
                                           .values_list("incident_id", "level", "level_entered_at")
                                           if could_suggest else []):
        decided.setdefault(incident_id, set()).add((level, entered_at))
    return {i.pk: LevelReading(state=states[i.pk], suggestion=_suggestion(i, states[i.pk], decided.get(i.pk, set())),
                               last_decision=None) for i in incidents}
