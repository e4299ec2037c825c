"""What the incident room and its live partials show, gathered in a fixed number of queries."""

from django.http import HttpRequest

from crisis import clock
from crisis.models import INCIDENT_TRANSITIONS, EventKind, Incident, IncidentStatus, Role, Statement
from crisis.selectors import local_time, sentiment_series
from crisis.services.incidents import TRANSITION_ROLE
from crisis.timers.wording import entered_later

from .access import Abilities
from .chart import SentimentChart, sentiment_chart
from .timeline_pages import timeline_page


def timeline_context(request: HttpRequest, incident: Incident) -> dict:
    """The timeline's page as the request asks for it: a kind filter, how far down, one page more."""
    kind = request.GET.get("kind") or request.POST.get("filter_kind", "")
    until = request.GET.get("until") or request.POST.get("until") or None
    page = timeline_page(incident=incident, kind=kind, until=until, more=request.GET.get("more") == "1")
    return {"kind": kind, "kind_choices": EventKind.choices, "timeline": page}


def acknowledgement_entered_later(incident: Incident) -> str:
    if incident.acknowledged_at is None or incident.acknowledged_recorded_at is None:
        return ""
    return entered_later(incident.acknowledged_at, incident.acknowledged_recorded_at)


def status_choices(*, incident: Incident, abilities: Abilities) -> list[tuple[str, str]]:
    allowed = INCIDENT_TRANSITIONS[IncidentStatus(incident.status)]
    return [
        (s.value, s.label) for s in IncidentStatus
        if s in allowed and abilities.at_least(TRANSITION_ROLE.get(s, Role.COMMANDER))
    ]


def room_statements(*, incident: Incident) -> list[Statement]:
    """Newest first; each says how long after its publication it was entered (``entered_later``)."""
    statements = list(incident.statements.select_related("current_version").order_by("-created_at", "-id"))
    for statement in statements:
        statement.entered_later = statement_entered_later(statement)
    return statements


def statement_entered_later(statement: Statement) -> str:
    if statement.published_at is None or statement.published_recorded_at is None:
        return ""
    return entered_later(statement.published_at, statement.published_recorded_at)


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
