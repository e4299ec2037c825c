"""What the incident room and its live partials show, gathered in a fixed number of queries."""

from dataclasses import dataclass, field

from crisis import clock
from crisis.models import INCIDENT_TRANSITIONS, Incident, IncidentStatus, Role, Statement, TimelineEvent
from crisis.selectors import incident_timeline, local_time, sentiment_series
from crisis.services.incidents import TRANSITION_ROLE

from .access import Abilities
from .chart import SentimentChart, sentiment_chart


@dataclass
class TimelineEntry:
    """An event as it stands now, with the versions it replaced struck through beside it."""

    event: TimelineEvent
    superseded: list[TimelineEvent] = field(default_factory=list)

    @property
    def original(self) -> TimelineEvent:
        return self.superseded[0] if self.superseded else self.event


def timeline_entries(*, incident: Incident, kind: str | None = None) -> list[TimelineEntry]:
    """Pinned first, then newest first; a corrected event shows once, as its latest correction."""
    events = list(incident_timeline(incident=incident, kind=kind or None))
    correction_of = {e.corrects_id: e for e in events if e.corrects_id}
    entries = []
    for event in events:
        if event.corrects_id:
            continue
        chain = [event]
        while chain[-1].pk in correction_of:
            chain.append(correction_of[chain[-1].pk])
        entries.append(TimelineEntry(event=chain[-1], superseded=chain[:-1]))
    entries.sort(key=lambda e: (e.original.occurred_at, e.original.pk), reverse=True)
    entries.sort(key=lambda e: not e.event.is_pinned)
    return entries


def status_choices(*, incident: Incident, abilities: Abilities) -> list[tuple[str, str]]:
    allowed = INCIDENT_TRANSITIONS[IncidentStatus(incident.status)]
    return [
        (s.value, s.label) for s in IncidentStatus
        if s in allowed and abilities.at_least(TRANSITION_ROLE.get(s, Role.COMMANDER))
    ]


def room_statements(*, incident: Incident) -> list[Statement]:
    return list(incident.statements.select_related("current_version").order_by("-created_at", "-id"))


def room_chart(*, incident: Incident, statements: list[Statement]) -> SentimentChart:
    publications = [(s.published_at, str(s)) for s in statements if s.published_at]
    organization = incident.organization
    return sentiment_chart(
        checkpoints=sentiment_series(incident=incident),
        publications=publications,
        start=incident.first_public_signal_at,
        end=max(clock.now(), incident.first_public_signal_at),
        local=lambda moment: local_time(moment, incident.time_zone),
        negative_threshold=getattr(organization, "negative_share_threshold", None),
        volume_threshold=getattr(organization, "volume_threshold", None),
    )
