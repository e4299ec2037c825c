"""Assemble an incident's post-mortem from the record: one dictionary every renderer reads.

A fixed number of queries whatever the incident's size (see ``tests/reports/test_queries.py``):
the incident, its deadlines, checkpoints, timeline (one ``values()`` query, no model instances,
because a long incident has 10,000 events), statements with versions and approvals (three),
the post-mortem sections and the action items.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import (
    Channel,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Incident,
    SentimentCheckpoint,
    Statement,
    StatementApproval,
    StatementKind,
    StatementVersion,
    TimelineEvent,
)

from . import pages
from .figures import Point, change, minutes_between, percent_change, point_after, point_before, sentiment_recovery
from .models import ActionItem, PostMortem

SCHEMA_VERSION = "1.0"
PUBLIC_KINDS = (StatementKind.HOLDING, StatementKind.FULL, StatementKind.UPDATE, StatementKind.APOLOGY,
                StatementKind.CORRECTION)
# Key moments that a playbook step is about: the step's first deadline is the target.
KEY_TIME_STEPS = {"acknowledged": "acknowledge", "first_response": "holding-statement",
                  "full_statement": "full-statement"}

Progress = Callable[[int], None]


def _no_progress(_percent: int) -> None:
    return None


def person(user) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _person_from_values(first: str | None, last: str | None, username: str | None) -> str | None:
    if username is None:
        return None
    full = f"{first or ''} {last or ''}".strip()
    return full or username


def is_public_statement(statement: Statement) -> bool:
    return statement.channel != Channel.INTERNAL and statement.kind in PUBLIC_KINDS


def report_assemble(*, incident: Incident, progress: Progress = _no_progress, now: datetime | None = None) -> dict:
    """Everything the post-mortem shows, in plain values (aware UTC datetimes, numbers, text)."""
    now = now or clock.now()
    incident = Incident.objects.select_related("organization", "commander", "spokesperson").get(pk=incident.pk)
    progress(5)
    # Escalation timers are paging machinery, not promises to the public; the pages show on the timeline.
    deadlines = list(Deadline.objects.filter(incident=incident).exclude(kind=DeadlineKind.ESCALATION)
                     .order_by("due_at", "id"))
    statements = _statements(incident)
    progress(20)
    points = _checkpoints(incident)
    progress(35)
    timeline = _timeline(incident)
    progress(70)
    postmortem = PostMortem.objects.filter(incident=incident).select_related("updated_by").first()
    items = list(ActionItem.objects.filter(incident=incident).select_related("owner").order_by("due_on", "id"))
    published = sorted((s for s in statements if s.published_at), key=lambda s: (s.published_at, s.pk))
    first_response = next((s for s in published if is_public_statement(s)), None)
    full_statement = next((s for s in published if s.kind == StatementKind.FULL and s.channel != Channel.INTERNAL),
                          None)
    deadline_rows = _deadlines(incident, deadlines, now)
    report = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": now,
        "incident": _incident(incident),
        "key_times": _key_times(incident, deadlines, first_response, full_statement),
        "figures": _figures(incident, deadline_rows, first_response, full_statement, timeline),
        "deadlines": deadline_rows,
        "sentiment": _sentiment(incident, points),
        "statement_effects": [_effect(s, points) for s in published if s.channel != Channel.INTERNAL],
        "statements": [_statement(s) for s in statements],
        "impact": _impact(points),
        "timeline": {"pinned": [e for e in timeline if e["is_pinned"] and not e["corrected_by"]],
                     "events": timeline},
        "postmortem": _postmortem(postmortem),
        "action_items": [_action_item(item) for item in items],
    }
    progress(80)
    return report


def _incident(incident: Incident) -> dict:
    return {
        "id": incident.pk,
        "title": incident.title,
        "organization": incident.organization.name,
        "severity": incident.severity,
        "severity_label": incident.get_severity_display(),
        "status": incident.status,
        "status_label": incident.get_status_display(),
        "time_zone": incident.time_zone,
        "summary": incident.summary,
        "commander": person(incident.commander),
        "spokesperson": person(incident.spokesperson),
        "affected_channels": [str(Channel(c).label) for c in incident.affected_channels if c in Channel.values],
        "tags": list(incident.tags),
        "first_public_signal_at": incident.first_public_signal_at,
    }


def _first_due(deadlines: list[Deadline], step_key: str) -> datetime | None:
    return next((d.due_at for d in deadlines if d.step_key == step_key and d.occurrence == 0
                 and d.kind == "playbook"), None)


def _key_times(incident: Incident, deadlines: list[Deadline], first_response, full_statement) -> list[dict]:
    t0 = incident.first_public_signal_at
    moments = [
        ("first_public_signal", _("First public signal"), t0),
        ("detected", _("Detected"), incident.detected_at),
        ("acknowledged", _("Acknowledged"), incident.acknowledged_at),
        ("first_response", _("First public statement (holding)"), first_response and first_response.published_at),
        ("full_statement", _("Full statement"), full_statement and full_statement.published_at),
        ("contained", _("Contained"), incident.contained_at),
        ("resolved", _("Resolved"), incident.resolved_at),
    ]
    rows = []
    for key, label, at in moments:
        due = _first_due(deadlines, KEY_TIME_STEPS[key]) if key in KEY_TIME_STEPS else None
        rows.append({
            "key": key, "label": label, "at": at,
            "minutes_from_signal": minutes_between(t0, at),
            "target_minutes": minutes_between(t0, due),
            # Positive: later than the playbook asked; negative: ahead of it.
            "delta_minutes": minutes_between(due, at) if at and due else None,
        })
    return rows


def _deadline_end(deadline: Deadline, incident: Incident, later: list[Deadline],
                  now: datetime) -> tuple[datetime, bool]:
    """Until when a breached deadline counts as late.

    Until it was met (late); but a recurring step rolls on, and once its next occurrence is due the
    lateness is that occurrence's to carry, so the same minutes are never counted twice. Never met:
    until resolution, or until now (still late) if the incident is open.
    """
    ends = [d.due_at for d in later if d.step_key == deadline.step_key and d.kind == deadline.kind
            and d.occurrence > deadline.occurrence]
    if deadline.met_at:
        ends.append(deadline.met_at)
    closed = incident.resolved_at or incident.closed_at
    if closed and not deadline.met_at:
        ends.append(closed)
    if ends:
        return max(min(ends), deadline.due_at), False
    return max(now, deadline.due_at), True


def _deadlines(incident: Incident, deadlines: list[Deadline], now: datetime) -> list[dict]:
    rows = []
    for d in deadlines:
        late, delta, open_ended = 0.0, None, False
        if d.state == DeadlineState.MET:
            delta = minutes_between(d.due_at, d.met_at)
        elif d.state == DeadlineState.BREACHED:
            end, open_ended = _deadline_end(d, incident, deadlines, now)
            delta = minutes_between(d.due_at, end)
            late = max(delta or 0.0, 0.0)
        rows.append({
            "id": d.pk, "step_key": d.step_key, "name": _(d.name), "kind": d.kind, "occurrence": d.occurrence,
            "due_at": d.due_at, "state": d.state, "state_label": DeadlineState(d.state).label,
            "met_at": d.met_at, "breached_at": d.breached_at, "waived_at": d.waived_at,
            "delta_minutes": delta, "late_minutes": late, "is_still_late": open_ended,
            "note": d.note, "waive_reason": d.waive_reason,
        })
    return rows


def _figures(incident: Incident, deadlines: list[dict], first_response, full_statement, timeline: list[dict]) -> dict:
    t0 = incident.first_public_signal_at
    states = [d["state"] for d in deadlines]
    return {
        "time_to_detect_minutes": minutes_between(t0, incident.detected_at),
        "time_to_acknowledge_minutes": minutes_between(t0, incident.acknowledged_at),
        "detect_to_acknowledge_minutes": minutes_between(incident.detected_at, incident.acknowledged_at),
        "time_to_first_response_minutes": minutes_between(t0, first_response and first_response.published_at),
        "time_to_full_statement_minutes": minutes_between(t0, full_statement and full_statement.published_at),
        "time_to_resolve_minutes": minutes_between(t0, incident.resolved_at),
        "total_breached_minutes": round(sum(d["late_minutes"] for d in deadlines), 1),
        "deadlines_met": states.count(DeadlineState.MET),
        "deadlines_breached": states.count(DeadlineState.BREACHED),
        "deadlines_waived": states.count(DeadlineState.WAIVED),
        "deadlines_pending": states.count(DeadlineState.PENDING),
        "pages": pages.pages_summary(incident=incident, timeline=timeline),
    }


def _checkpoints(incident: Incident) -> list[SentimentCheckpoint]:
    checkpoints = list(SentimentCheckpoint.objects.filter(incident=incident).order_by("measured_at", "id"))
    corrected = {cp.corrects_id for cp in checkpoints if cp.corrects_id}
    return [cp for cp in checkpoints if cp.pk not in corrected]


def _as_point(cp: SentimentCheckpoint) -> Point:
    return Point(cp.measured_at, cp.negative_share, cp.mention_volume)


def _sentiment(incident: Incident, checkpoints: list[SentimentCheckpoint]) -> dict:
    recovery = sentiment_recovery([_as_point(cp) for cp in checkpoints], incident.first_public_signal_at)
    return {
        "points": [{
            "id": cp.pk, "measured_at": cp.measured_at, "source": cp.source,
            "negative_share": cp.negative_share, "neutral_share": cp.neutral_share,
            "positive_share": cp.positive_share, "mention_volume": cp.mention_volume, "reach": cp.reach,
            "follower_change": cp.follower_change, "trending_rank": cp.trending_rank,
            "share_price_move_pct": cp.share_price_move_pct, "is_correction": cp.corrects_id is not None,
        } for cp in checkpoints],
        "baseline_negative_share": recovery.baseline,
        "peak_negative_share": recovery.peak.negative_share if recovery.peak else None,
        "peak_at": recovery.peak.measured_at if recovery.peak else None,
        "recovered_at": recovery.recovered.measured_at if recovery.recovered else None,
        "recovery_minutes": recovery.minutes,
    }


def _snapshot(cp: SentimentCheckpoint | None) -> dict | None:
    if cp is None:
        return None
    return {"measured_at": cp.measured_at, "source": cp.source, "negative_share": cp.negative_share,
            "mention_volume": cp.mention_volume}


def _effect(statement: Statement, checkpoints: list[SentimentCheckpoint]) -> dict:
    before = point_before(checkpoints, statement.published_at)
    after = point_after(checkpoints, statement.published_at)
    return {
        "statement_id": statement.pk, "title": str(statement), "kind": statement.kind,
        "channel": statement.channel, "published_at": statement.published_at,
        "before": _snapshot(before), "after": _snapshot(after),
        "negative_share_change": change(before and before.negative_share, after and after.negative_share),
        "volume_change": change(before and before.mention_volume, after and after.mention_volume, 0),
        "volume_change_pct": percent_change(before and before.mention_volume, after and after.mention_volume),
    }


def _statements(incident: Incident) -> list[Statement]:
    approvals = StatementApproval.objects.select_related("approver").order_by("created_at", "id")
    versions = StatementVersion.objects.select_related("author").order_by("number").prefetch_related(
        Prefetch("approvals", queryset=approvals))
    return list(Statement.objects.filter(incident=incident).order_by("created_at", "id")
                .prefetch_related(Prefetch("versions", queryset=versions)))


def _statement(statement: Statement) -> dict:
    return {
        "id": statement.pk, "title": str(statement), "kind": statement.kind,
        "kind_label": statement.get_kind_display(), "channel": statement.channel,
        "channel_label": statement.get_channel_display(), "language": statement.language,
        "status": statement.status, "status_label": statement.get_status_display(),
        "published_at": statement.published_at, "retracted_at": statement.retracted_at,
        "public_url": statement.public_url,
        "published_version": next((v.number for v in statement.versions.all()
                                   if v.pk == statement.published_version_id), None),
        "versions": [{
            "number": v.number, "body": v.body, "author": person(v.author), "created_at": v.created_at,
            "is_published": v.pk == statement.published_version_id,
            "approvals": [{"approver": person(a.approver), "note": a.note, "created_at": a.created_at}
                          for a in v.approvals.all()],
        } for v in statement.versions.all()],
    }


def _impact(checkpoints: list[SentimentCheckpoint]) -> dict:
    """The numbers the seeds of crisis PR care about, over the whole incident.

    Follower change is recorded per checkpoint as the change since the previous measurement, so the
    incident's total is their sum; a share-price move is the day's move, so moves compound.
    """
    followers = [cp.follower_change for cp in checkpoints if cp.follower_change is not None]
    ranks = [cp.trending_rank for cp in checkpoints if cp.trending_rank is not None]
    moves = [cp.share_price_move_pct for cp in checkpoints if cp.share_price_move_pct is not None]
    compounded = None
    if moves:
        factor = 1.0
        for move in moves:
            factor *= 1 + move / 100
        compounded = round((factor - 1) * 100, 2)
    return {
        "follower_change_total": sum(followers) if followers else None,
        "follower_change_worst": min(followers) if followers else None,
        "trending_rank_best": min(ranks) if ranks else None,
        "trending_rank_last": ranks[-1] if ranks else None,
        "share_price_move_worst_pct": min(moves) if moves else None,
        "share_price_move_compounded_pct": compounded,
    }


TIMELINE_FIELDS = ("id", "kind", "occurred_at", "recorded_at", "body", "source_url", "is_pinned", "corrects_id",
                   "actor__first_name", "actor__last_name", "actor__username")


def _timeline(incident: Incident) -> list[dict]:
    """The full timeline in time order, each correction linked both ways, from one query."""
    rows = TimelineEvent.objects.filter(incident=incident).order_by("occurred_at", "id").values_list(
        *TIMELINE_FIELDS)
    kinds = dict(EventKind.choices)
    events = []
    corrected_by: dict[int, int] = {}
    for pk, kind, occurred, recorded, body, url, pinned, corrects, first, last, username in rows.iterator(
            chunk_size=5000):
        if corrects:
            corrected_by[corrects] = pk
        events.append({"id": pk, "kind": kind, "kind_label": str(kinds.get(kind, kind)), "occurred_at": occurred,
                       "recorded_at": recorded, "actor": _person_from_values(first, last, username), "body": body,
                       "source_url": url, "is_pinned": pinned, "corrects": corrects, "corrected_by": None})
    if corrected_by:
        for event in events:
            event["corrected_by"] = corrected_by.get(event["id"])
    return events


def _postmortem(postmortem: PostMortem | None) -> dict:
    if postmortem is None:
        return {"summary": "", "root_cause": "", "went_well": "", "went_badly": "", "version": 0,
                "updated_at": None, "updated_by": None}
    return {"summary": postmortem.summary, "root_cause": postmortem.root_cause, "went_well": postmortem.went_well,
            "went_badly": postmortem.went_badly, "version": postmortem.version, "updated_at": postmortem.updated_at,
            "updated_by": person(postmortem.updated_by)}


def _action_item(item: ActionItem) -> dict:
    return {"id": item.pk, "title": item.title, "owner": person(item.owner), "due_on": item.due_on,
            "status": item.status, "status_label": item.get_status_display(), "completed_at": item.completed_at}


def json_ready(value: Any) -> Any:
    """Datetimes and dates as ISO 8601 text, lazy translations as text; the rest as it is."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
