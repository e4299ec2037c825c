"""Load a past crisis from one JSON document (docs/import.md): all or nothing, judged as it happened.

The document is checked against the published JSON Schema first. Then the crisis is *replayed*: the
incident is opened, and its facts (acknowledgement, events, statements, checkpoints, resolution) are
entered in the order they happened, each under ``clock.replaying_at(when it happened)``, with the
deadlines that fell due in between swept at their due times, exactly as the engine would have done
live. So an imported crisis gets the verdicts a live one entered on time would get, while everything
it writes is recorded at the real time of the import. It is retrospective: it pages nobody.
"""

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min, Q
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import DeadlineKind, DeadlineState, Incident, IncidentStatus, Organization, Role

from .access import membership_require
from .errors import DomainError, InvalidInput
from .validation import FUTURE_SKEW

IMPORT_FORMAT = "golden-hours/incident-import/1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "incident-import-v1.schema.json"
# Among facts that happened at the same moment: who owned it, what was seen, what was said, what was measured.
FACT_ORDER = {"acknowledged_at": 0, "events": 1, "statements": 2, "checkpoints": 3}


@functools.cache
def import_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def import_validate(document: Any) -> None:
    """Raise InvalidInput naming every item and field the schema refuses (the first 50)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(import_schema())
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))[:50]:
        errors.setdefault(_path(error.absolute_path), []).append(error.message)
    if errors:
        first, reasons = next(iter(errors.items()))
        raise InvalidInput(_("%(where)s: %(why)s") % {"where": first, "why": reasons[0]}, fields=errors)


@dataclass(order=True)
class _Fact:
    at: datetime
    order: int
    index: int
    path: str = field(compare=False)
    enter: Callable[[], Any] = field(compare=False)


@dataclass(frozen=True)
class ImportResult:
    incident: Incident
    events: int
    statements: int
    checkpoints: int


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _member(organization: Organization, name: str | None, where: str):
    if not name:
        return None
    user = get_user_model().objects.filter(Q(username=name) | Q(email__iexact=name),
                                           memberships__organization=organization).first()
    if user is None:
        raise InvalidInput(_("%(where)s: this person is not a member of the organization.") % {"where": where},
                           field=where)
    return user


@transaction.atomic
def incident_import(*, organization: Organization, actor, document: dict[str, Any]) -> ImportResult:
    """Create a retrospective incident from ``document`` and replay its facts; nothing is written on error."""
    membership_require(user=actor, organization=organization, role=Role.COMMANDER)
    import_validate(document)
    data = document["incident"]
    signal = _moment(data["first_public_signal_at"])
    detected = _moment(data["detected_at"]) if data.get("detected_at") else signal
    _check_not_future([("incident.first_public_signal_at", signal), ("incident.detected_at", detected)])
    commander = _member(organization, data.get("commander"), "incident.commander")
    spokesperson = _member(organization, data.get("spokesperson"), "incident.spokesperson")

    from .incidents import incident_open

    with _at("incident", detected):
        incident = incident_open(
            organization=organization, actor=actor, title=data["title"], summary=data.get("summary", ""),
            severity=data.get("severity", 3), first_public_signal_at=signal, detected_at=detected,
            commander=commander, spokesperson=spokesperson, affected_channels=data.get("affected_channels", []),
            tags=data.get("tags", []), time_zone=data.get("time_zone"), is_retrospective=True, judge_now=False,
        )
    facts = sorted(_facts(incident, actor, document))
    resolution = document.get("resolution") or {}
    _check_not_future([(fact.path, fact.at) for fact in facts]
                      + [(f"resolution.{key}", _moment(resolution[key])) for key in ("resolved_at", "closed_at")
                         if resolution.get(key)])
    for fact in facts:
        _sweep_until(incident, fact.at)
        with _at(fact.path, fact.at):
            fact.enter()
    if resolution:
        _resolve(incident, actor, resolution)
    else:
        from crisis.timers.breach import deadlines_breach_overdue

        # Still open: what fell due since its last fact is judged now, as the engine would on its next sweep.
        deadlines_breach_overdue(incident=incident, now=clock.now(), on_arrival=False)
    counts = {key: len(document.get(key, [])) for key in ("events", "statements", "checkpoints")}
    return ImportResult(incident=incident, **counts)


class _at:
    """Replay at ``moment``, and name the item when a service refuses it."""

    def __init__(self, path: str, moment: datetime):
        self.path, self.replay = path, clock.replaying_at(moment)

    def __enter__(self):
        self.replay.__enter__()

    def __exit__(self, kind, error, traceback):
        self.replay.__exit__(kind, error, traceback)
        if isinstance(error, DomainError) and not getattr(error, "_import_path", False):
            fields = {_within(self.path, name): reasons for name, reasons in error.fields.items()} or {
                self.path: [error.message]}
            located = type(error)(_("%(where)s: %(why)s") % {"where": self.path, "why": error.message}, fields=fields)
            located._import_path = True
            raise located from error
        return False


def _within(path: str, name: str) -> str:
    """The field a service named, inside the item being entered ("statements[2]" + "body")."""
    return path if path.rsplit(".", 1)[-1] == name else f"{path}.{name}"


def _facts(incident: Incident, actor, document: dict[str, Any]) -> list[_Fact]:
    from .sentiment import sentiment_checkpoints_ingest
    from .statements import statement_record_published
    from .timeline import timeline_event_log

    facts = []
    if document.get("acknowledged_at"):
        from .incidents import incident_acknowledge

        moment = _moment(document["acknowledged_at"])
        facts.append(_Fact(moment, FACT_ORDER["acknowledged_at"], 0, "acknowledged_at", functools.partial(
            incident_acknowledge, incident=incident, actor=actor, acknowledged_at=moment)))
    for i, item in enumerate(document.get("events", [])):
        moment = _moment(item["occurred_at"])
        facts.append(_Fact(moment, FACT_ORDER["events"], i, f"events[{i}]", functools.partial(
            timeline_event_log, incident=incident, actor=actor, kind=item["kind"], body=item["body"],
            occurred_at=moment, source_url=item.get("source_url", ""))))
    for i, item in enumerate(document.get("statements", [])):
        moment = _moment(item["published_at"])
        facts.append(_Fact(moment, FACT_ORDER["statements"], i, f"statements[{i}]", functools.partial(
            statement_record_published, incident=incident, actor=actor, channel=item["channel"], kind=item["kind"],
            body=item["body"], published_at=moment, language=item.get("language", "zh-hans"),
            title=item.get("title", ""), public_url=item.get("public_url", ""))))
    for i, item in enumerate(document.get("checkpoints", [])):
        point = dict(item, measured_at=_moment(item["measured_at"]))
        facts.append(_Fact(point["measured_at"], FACT_ORDER["checkpoints"], i, f"checkpoints[{i}]",
                           functools.partial(sentiment_checkpoints_ingest, incident=incident, actor=actor,
                                             points=[point])))
    return facts


def _check_not_future(moments: list[tuple[str, datetime]]) -> None:
    """Replayed, a fact is never in the future of its own moment: check against the real clock instead."""
    latest = clock.recorded_now() + FUTURE_SKEW
    future = {path: [_("This time is in the future.")] for path, moment in moments if moment > latest}
    if future:
        first = next(iter(future))
        raise InvalidInput(_("%(where)s: %(why)s") % {"where": first, "why": future[first][0]}, fields=future)


def _next_due(incident: Incident) -> datetime | None:
    return (incident.deadlines.filter(state=DeadlineState.PENDING, kind__in=[DeadlineKind.PLAYBOOK,
                                                                            DeadlineKind.SURGE])
            .aggregate(next=Min("due_at"))["next"])


def _sweep_until(incident: Incident, moment: datetime) -> None:
    """Breach what fell due before ``moment``, each at its own due time, as the live engine would have."""
    from crisis.timers.breach import deadlines_breach_overdue

    while (due := _next_due(incident)) is not None and due < moment:
        with clock.replaying_at(due):
            deadlines_breach_overdue(incident=incident, now=due, on_arrival=False)


def _resolve(incident: Incident, actor, resolution: dict[str, Any]) -> None:
    from .incidents import incident_transition

    resolved_at = _moment(resolution["resolved_at"])
    _sweep_until(incident, resolved_at)
    with _at("resolution.resolved_at", resolved_at):
        incident_transition(incident=incident, actor=actor, to_status=IncidentStatus.RESOLVED,
                            note=resolution.get("note", ""), occurred_at=resolved_at)
    if resolution.get("closed_at"):
        closed_at = _moment(resolution["closed_at"])
        with _at("resolution.closed_at", closed_at):
            if closed_at < resolved_at:
                raise InvalidInput(_("An incident cannot be closed before it was resolved."), field="closed_at")
            incident_transition(incident=incident, actor=actor, to_status=IncidentStatus.CLOSED, occurred_at=closed_at)
