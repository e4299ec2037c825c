"""What the incident room and its live partials show, gathered in a fixed number of queries."""

import json
from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from crisis import clock
from crisis.chart_measures import DEFAULT_MEASURE, ChartMeasure, chart_measure
from crisis.models import (
    INCIDENT_TRANSITIONS,
    Breach,
    Deadline,
    DeadlineKind,
    EventKind,
    Incident,
    IncidentStatus,
    Role,
    SentimentCheckpoint,
    Statement,
    TimelineEvent,
)
from crisis.oncall.models import Delivery, Page
from crisis.oncall.selectors import escalation_policy_exists, incident_pages, oncall_now
from crisis.selectors import local_time, sentiment_series
from crisis.services.incidents import TRANSITION_ROLE
from crisis.timers.wording import entered_later

from .access import Abilities
from .chart import SentimentChart, sentiment_chart
from .forms import AcknowledgeForm, CorrectionForm, QuickLogForm, SeverityForm, SignalForm, StatusForm
from .golden_clock import clock_context
from .room_extensions import extra_context, extra_fingerprints, room_panels_registered
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


def room_chart(*, incident: Incident, statements: list[Statement],
               measure: ChartMeasure = DEFAULT_MEASURE) -> SentimentChart:
    published = [s for s in statements if s.published_at]
    organization = incident.organization
    return sentiment_chart(
        checkpoints=sentiment_series(incident=incident),
        publications=[(s.published_at, str(s)) for s in published if not s.is_off_script],
        off_script=[(s.published_at, str(s)) for s in published if s.is_off_script],
        breaches=chart_breaches(incident=incident),
        start=incident.first_public_signal_at,
        end=max(clock.now(), incident.first_public_signal_at),
        local=lambda moment: local_time(moment, incident.time_zone),
        negative_threshold=getattr(organization, "negative_share_threshold", None),
        volume_threshold=getattr(organization, "volume_threshold", None),
        measure=measure,
    )


def chart_breaches(*, incident: Incident) -> list[tuple]:
    """The deadlines that slipped, at the moment they fell due. A retracted alarm was false and an escalation
    step is about paging, not about what the public saw: neither is marked."""
    breaches = (Breach.objects.filter(incident=incident, retracted_at__isnull=True)
                .exclude(deadline__kind=DeadlineKind.ESCALATION).select_related("deadline").order_by("breached_at"))
    # Playbook step names are English msgids (as in the golden clock); an owned deadline's name is what people wrote.
    return [(breach.breached_at, gettext(breach.deadline.name)) for breach in breaches]


def requested_measure(request: HttpRequest) -> ChartMeasure:
    """The measure in the URL, or else in the page's own URL (htmx sends it with every request the room makes):
    the live refresh and the room's actions keep the measure the person picked."""
    key = request.GET.get("measure")
    if key is None:
        current = request.headers.get("HX-Current-URL", "")
        key = (parse_qs(urlsplit(current).query).get("measure") or [None])[0]
    return chart_measure(key)


# The panels of the room that refresh on their own, and what each one's fingerprint is made of.
# The room polls room_fingerprints every ~1.5 s (one query of indexed aggregates, the same cost with
# 30 lines or 3,000) and fetches only the panels whose fingerprint moved: far cheaper than re-rendering
# a 3,000-line timeline for every open room every few seconds, and simpler to run than server-sent
# events (no long-lived connections through gunicorn's sync workers, no Redis fan-out to keep).
LIVE_PANELS = ("head", "clock", "timeline", "statements", "pages", "sentiment")


def live_panels() -> tuple[str, ...]:
    """The room's own panels, then those other features registered (crisis/web/room_extensions.py)."""
    return LIVE_PANELS + tuple(panel.name for panel in room_panels_registered())


def _fingerprint_sql() -> str:
    """One statement of scalar subqueries, each an index lookup on the incident's foreign key.

    Written out rather than built with the ORM: the database answers it in well under a millisecond, while
    composing fourteen annotated subqueries in Python took ten times that on every poll of every open room.
    """
    tables = {name: model._meta.db_table for name, model in (
        ("incident", Incident), ("event", TimelineEvent), ("deadline", Deadline), ("page", Page),
        ("delivery", Delivery), ("statement", Statement), ("checkpoint", SentimentCheckpoint))}
    of = "FROM {t} WHERE incident_id = i.id".format
    # Only our models' table names are interpolated; the values travel as parameters.
    return f"""
        SELECT i.version, i.status, i.severity, i.updated_at,
          (SELECT COUNT(*) {of(t=tables["event"])}),
          (SELECT MAX(id) {of(t=tables["event"])}),
          (SELECT COUNT(*) {of(t=tables["event"])} AND is_pinned = %s),
          (SELECT COUNT(*) {of(t=tables["deadline"])}),
          (SELECT SUM(version) {of(t=tables["deadline"])}),
          (SELECT COUNT(*) {of(t=tables["page"])}),
          (SELECT SUM(version) {of(t=tables["page"])}),
          (SELECT COUNT(*) FROM {tables["delivery"]} d JOIN {tables["page"]} p ON d.page_id = p.id
             WHERE p.incident_id = i.id),
          (SELECT SUM(d.attempts) FROM {tables["delivery"]} d JOIN {tables["page"]} p ON d.page_id = p.id
             WHERE p.incident_id = i.id),
          (SELECT COUNT(*) {of(t=tables["statement"])}),
          (SELECT SUM(version) {of(t=tables["statement"])}),
          (SELECT COUNT(*) {of(t=tables["checkpoint"])}),
          (SELECT MAX(id) {of(t=tables["checkpoint"])})
        FROM {tables["incident"]} i WHERE i.id = %s"""  # noqa: S608


FINGERPRINT_COLUMNS = (
    "version", "status", "severity", "updated_at", "events", "events_last", "events_pinned", "deadlines",
    "deadlines_versions", "pages", "pages_versions", "deliveries", "delivery_attempts", "statements",
    "statements_versions", "checkpoints", "checkpoints_last",
)


def room_fingerprints(*, incident_id: int) -> dict[str, str] | None:
    """A short string per live panel that changes whenever anything the panel shows changes.

    Timeline lines are append-only (corrections are new lines), so their number, the newest id and the
    number pinned cover them; deadlines, pages and statements bump ``version`` on every transition;
    deliveries count their attempts; checkpoints are append-only; the incident bumps ``version`` and
    ``updated_at`` on every change of its own.
    """
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql(), [True, incident_id])
        row = cursor.fetchone()
    if row is None:
        return None
    counted = dict(zip(FINGERPRINT_COLUMNS, row, strict=True))

    def joined(*names: str) -> str:
        return ".".join(str(counted[name] or 0) for name in names)

    head = joined("version", "status", "severity", "updated_at")
    return {
        **extra_fingerprints(incident_id),
        "head": head,
        "clock": joined("deadlines", "deadlines_versions") + "." + head,
        "timeline": joined("events", "events_last", "events_pinned"),
        "statements": joined("statements", "statements_versions"),
        "pages": joined("pages", "pages_versions", "deliveries", "delivery_attempts"),
        # Deadline versions too: the chart marks breaches.
        "sentiment": joined("checkpoints", "checkpoints_last", "statements", "statements_versions",
                            "deadlines", "deadlines_versions"),
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


def room_context(request: HttpRequest, incident, abilities, *, panels=None, **forms) -> dict:
    """What the room's panels show; only the ``panels`` asked for are read (the live refresh asks for few)."""
    panels = live_panels() if panels is None else panels
    context = {"incident": incident, "organization": incident.organization, "abilities": abilities,
               "panels": panels}
    context.update(extra_context(request, incident, abilities, panels))
    if "head" in panels:
        context.update(_head_context(incident, abilities, forms))
    if "clock" in panels:
        context.update(clock_context(incident=incident, abilities=abilities))
    if "timeline" in panels:
        context.update(_timeline_panel_context(request, incident, forms))
    if "statements" in panels or "sentiment" in panels:
        context["statements"] = room_statements(incident=incident)
    if "sentiment" in panels:
        context["chart"] = room_chart(incident=incident, statements=context["statements"],
                                      measure=requested_measure(request))
    if "pages" in panels:
        context["oncall_now"] = oncall_now(organization=incident.organization, moment=clock.now())
        # Without a schedule, pages go to the commander only where no escalation policy names someone else.
        context["oncall_has_policy"] = (not context["oncall_now"]
                                        and escalation_policy_exists(organization=incident.organization))
        context["pages"] = incident_pages(incident=incident)
    return context


def panels_render(request: HttpRequest, incident, abilities, panels, **forms) -> HttpResponse:
    """The room's panels as htmx out-of-band swaps, each replacing its namesake in place.

    Always 200: htmx swaps successful responses only, and a refused form comes back inside its panel with
    its reasons (role=alert), still filled in. The header carries the fingerprints the panels were read at,
    so the live poll does not fetch them again.
    """
    panels = tuple(p for p in live_panels() if p in panels)
    fingerprints = room_fingerprints(incident_id=incident.pk) or {}
    context = room_context(request, incident, abilities, panels=panels, **forms)
    context.update(oob=True, timeline_oob=True)
    response = render(request, "crisis/partials/room_panels.html", context)
    response["X-Room-Fingerprints"] = json.dumps({p: fingerprints[p] for p in panels if p in fingerprints})
    return response


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
