"""What the incident room and its live partials show, gathered in a fixed number of queries."""

import json

from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crisis import clock
from crisis.models import (
    INCIDENT_TRANSITIONS,
    Deadline,
    EventKind,
    Incident,
    IncidentStatus,
    Role,
    SentimentCheckpoint,
    Statement,
    TimelineEvent,
)
from crisis.oncall.models import Delivery, Page
from crisis.oncall.selectors import incident_pages, oncall_now
from crisis.selectors import local_time, sentiment_series
from crisis.services.incidents import TRANSITION_ROLE
from crisis.timers.wording import entered_later

from .access import Abilities
from .chart import SentimentChart, sentiment_chart
from .forms import AcknowledgeForm, CorrectionForm, QuickLogForm, SeverityForm, SignalForm, StatusForm
from .golden_clock import clock_context
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


# The panels of the room that refresh on their own, and what each one's fingerprint is made of.
# The room polls room_fingerprints every ~1.5 s (one query of indexed aggregates, the same cost with
# 30 lines or 3,000) and fetches only the panels whose fingerprint moved: far cheaper than re-rendering
# a 3,000-line timeline for every open room every few seconds, and simpler to run than server-sent
# events (no long-lived connections through gunicorn's sync workers, no Redis fan-out to keep).
LIVE_PANELS = ("head", "clock", "timeline", "statements", "pages", "sentiment")


def _aggregate(model, incident_field: str, **aggregates) -> dict[str, Subquery]:
    """Scalar subqueries of the incident's rows in ``model``, to annotate onto the incident: one round trip."""
    rows = model.objects.filter(**{incident_field: OuterRef("pk")}).order_by().values(incident_field)
    return {f"n_{name}": Subquery(rows.annotate(value=expression).values("value")[:1], output_field=IntegerField())
            for name, expression in aggregates.items()}


def room_fingerprints(*, incident_id: int) -> dict[str, str] | None:
    """A short string per live panel that changes whenever anything the panel shows changes.

    Timeline lines are append-only (corrections are new lines), so their number, the newest id and the
    number pinned cover them; deadlines, pages and statements bump ``version`` on every transition;
    deliveries count their attempts; checkpoints are append-only.
    """
    counted = (Incident.objects.filter(pk=incident_id).annotate(
        **_aggregate(TimelineEvent, "incident", events=Count("id"), events_last=Max("id"),
                     events_pinned=Count("id", filter=Q(is_pinned=True))),
        **_aggregate(Deadline, "incident", deadlines=Count("id"), deadlines_versions=Sum("version")),
        **_aggregate(Page, "incident", pages=Count("id"), pages_versions=Sum("version")),
        **_aggregate(Delivery, "page__incident", deliveries=Count("id"),
                     delivery_attempts=Coalesce(Sum("attempts"), 0)),
        **_aggregate(Statement, "incident", statements=Count("id"), statements_versions=Sum("version")),
        **_aggregate(SentimentCheckpoint, "incident", checkpoints=Count("id"), checkpoints_last=Max("id")),
    ).values("version", "status", "severity", "updated_at", "n_events", "n_events_last", "n_events_pinned",
             "n_deadlines", "n_deadlines_versions", "n_pages", "n_pages_versions", "n_deliveries",
             "n_delivery_attempts", "n_statements", "n_statements_versions", "n_checkpoints",
             "n_checkpoints_last").first())
    if counted is None:
        return None

    def joined(*names: str) -> str:
        return ".".join(str(counted.get(f"n_{name}", counted.get(name)) or 0) for name in names)

    head = joined("version", "status", "severity") + "." + str(counted["updated_at"].timestamp())
    return {
        "head": head,
        "clock": joined("deadlines", "deadlines_versions") + "." + head,
        "timeline": joined("events", "events_last", "events_pinned"),
        "statements": joined("statements", "statements_versions"),
        "pages": joined("pages", "pages_versions", "deliveries", "delivery_attempts"),
        "sentiment": joined("checkpoints", "checkpoints_last", "statements", "statements_versions"),
    }


def _head_context(incident, abilities, forms: dict) -> dict:
    zone = incident.time_zone
    return {
        "acknowledged_entered_later": acknowledgement_entered_later(incident),
        "status_choices": status_choices(incident=incident, abilities=abilities),
        "status_form": forms.get("status_form") or StatusForm(zone=zone),
        "acknowledge_form": forms.get("acknowledge_form") or AcknowledgeForm(zone=zone),
        "signal_form": forms.get("signal_form") or SignalForm(zone=zone, initial={
            "first_public_signal_at": incident.first_public_signal_at, "expected_version": incident.version}),
        "severity_form": forms.get("severity_form") or SeverityForm(initial={"severity": incident.severity}),
    }


def _timeline_panel_context(request, incident, forms: dict) -> dict:
    return {
        **timeline_context(request, incident),
        "log_form": forms.get("log_form") or QuickLogForm(zone=incident.time_zone),
        "correction_form": forms.get("correction_form") or CorrectionForm(zone=incident.time_zone),
        "correcting": forms.get("correcting"),
    }


def room_context(request: HttpRequest, incident, abilities, *, panels=LIVE_PANELS, **forms) -> dict:
    """What the room's panels show; only the ``panels`` asked for are read (the live refresh asks for few)."""
    context = {"incident": incident, "organization": incident.organization, "abilities": abilities,
               "panels": panels}
    if "head" in panels:
        context.update(_head_context(incident, abilities, forms))
    if "clock" in panels:
        context.update(clock_context(incident=incident, abilities=abilities))
    if "timeline" in panels:
        context.update(_timeline_panel_context(request, incident, forms))
    if "statements" in panels or "sentiment" in panels:
        context["statements"] = room_statements(incident=incident)
    if "sentiment" in panels:
        context["chart"] = room_chart(incident=incident, statements=context["statements"])
    if "pages" in panels:
        context["oncall_now"] = oncall_now(organization=incident.organization, moment=clock.now())
        context["pages"] = incident_pages(incident=incident)
    return context


def panels_render(request: HttpRequest, incident, abilities, panels, **forms) -> HttpResponse:
    """The room's panels as htmx out-of-band swaps, each replacing its namesake in place.

    Always 200: htmx swaps successful responses only, and a refused form comes back inside its panel with
    its reasons (role=alert), still filled in. The header carries the fingerprints the panels were read at,
    so the live poll does not fetch them again.
    """
    panels = tuple(p for p in LIVE_PANELS if p in panels)
    fingerprints = room_fingerprints(incident_id=incident.pk) or {}
    context = room_context(request, incident, abilities, panels=panels, **forms)
    context.update(oob=True, timeline_oob=True)
    response = render(request, "crisis/partials/room_panels.html", context)
    response["X-Room-Fingerprints"] = json.dumps({p: fingerprints[p] for p in panels if p in fingerprints})
    return response


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
