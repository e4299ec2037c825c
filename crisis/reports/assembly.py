"""Assemble an incident's post-mortem from the record: one dictionary every renderer reads.

A fixed number of queries whatever the incident's size (see ``tests/reports/test_queries.py``):
the incident, its deadlines and their breaches, the passed-occurrence records (and, when there are
any, the facts of each repeating step), checkpoints, timeline (one ``values()`` query, no model
instances, because a long incident has 10,000 events), statements with versions and approvals
(three), the post-mortem sections and the action items.

Deadlines are reported as ``crisis.playbooks.verdicts`` judges them (on when facts happened), and the
key times read the verdict of their step's deadline, so the two tables cannot disagree.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crisis import clock
from crisis.commitments.report import promises_for_report
from crisis.durations import duration_label, minutes_between
from crisis.models import (
    Breach,
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
from crisis.playbooks.verdicts import (
    CANCELLED,
    MET,
    MET_LATE,
    MISSED,
    WAIVED,
    PassedCount,
    Verdict,
    deadline_verdict,
    passed_counts,
)
from crisis.system_lines import line_render

from . import pages
from .action_item_deadlines import OPEN_ITEM_STATUSES
from .assembly_thorns import related_incidents_assemble
from .figures import (
    Point,
    change,
    percent_change,
    point_after,
    point_before,
    point_next,
    sentiment_recovery,
)
from .models import ActionItem, PostMortem

# 1.1 adds the event-time fields (verdicts, retracted breaches, passed occurrences, entered-later
# minutes, nearest readings around a statement); all optional in the schema, none changes meaning.
# 1.2 adds each timeline entry's ``text`` (in the report's language) and ``message`` (a system line as data).
# 1.3 adds the livestream and hot-search measures on each sentiment point, ``is_off_script`` on statements
# and statement effects, the promises a statement made (``promises``), related incidents and the owned
# deadline kinds (commitment, approval, inquiry, action item); all optional in the schema.
SCHEMA_VERSION = "1.3"
# Entered within a minute of happening counts as live; later entries say by how much.
LIVE_ENTRY_MINUTES = 1
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
    # Action items fall due weeks after the crisis: they have their own section, not the response's figures.
    deadlines = list(Deadline.objects.filter(incident=incident)
                     .exclude(kind__in=[DeadlineKind.ESCALATION, DeadlineKind.ACTION_ITEM])
                     .order_by("due_at", "id"))
    ids = {d.pk for d in deadlines}
    breaches = [b for b in Breach.objects.filter(incident=incident).select_related("retracted_by")
                .order_by("breached_at", "id") if b.deadline_id in ids]
    passed = passed_counts(incident=incident)
    statements = _statements(incident)
    progress(20)
    points = _checkpoints(incident)
    progress(35)
    timeline = _timeline(incident)
    progress(70)
    postmortem = PostMortem.objects.filter(incident=incident).select_related("updated_by").first()
    items = list(ActionItem.objects.filter(incident=incident).select_related("owner").order_by("due_on", "id"))
    published = sorted((s for s in statements if s.published_at), key=lambda s: (s.published_at, s.pk))
    # An off-script post is measured like any statement but is never the brand's answer.
    answers = [s for s in published if not s.is_off_script]
    first_response = next((s for s in answers if is_public_statement(s)), None)
    full_statement = next((s for s in answers if s.kind == StatementKind.FULL and s.channel != Channel.INTERNAL),
                          None)
    deadline_rows = _deadlines(incident, deadlines, breaches, passed, now)
    passed_rows = [_passed(incident, count, now) for count in passed]
    report = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": now,
        "incident": _incident(incident),
        "key_times": _key_times(incident, deadline_rows, first_response, full_statement),
        "figures": _figures(incident, deadline_rows, passed_rows, first_response, full_statement, timeline),
        "deadlines": deadline_rows,
        "retracted_breaches": _retracted_breaches(breaches, deadlines),
        "passed_occurrences": passed_rows,
        "sentiment": _sentiment(incident, points),
        "statement_effects": [_effect(s, points) for s in published if s.channel != Channel.INTERNAL],
        "statements": [_statement(s) for s in statements],
        "impact": _impact(points),
        "timeline": {"pinned": [e for e in timeline if e["is_pinned"] and not e["corrected_by"]],
                     "events": timeline},
        "postmortem": _postmortem(postmortem),
        "action_items": [_action_item(item) for item in items],
        "promises": promises_for_report(incident=incident, now=now),
        "related_incidents": related_incidents_assemble(incident),
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
        "is_retrospective": incident.is_retrospective,
        "entered_at": incident.created_at,
    }


def entered_minutes(happened: datetime | None, recorded: datetime | None) -> float | None:
    """Minutes between when a fact happened and when it was entered, when that is more than live."""
    minutes = minutes_between(happened, recorded)
    return minutes if minutes is not None and minutes > LIVE_ENTRY_MINUTES else None


def _key_times(incident: Incident, deadline_rows: list[dict], first_response, full_statement) -> list[dict]:
    """Key moments; those a playbook step is about are read from the verdict of the step's first deadline,
    the same row the deadlines table shows, so the two can never tell different stories."""
    t0 = incident.first_public_signal_at
    moments = [
        ("first_public_signal", _("First public signal"), t0, None),
        ("detected", _("Detected"), incident.detected_at, None),
        ("acknowledged", _("Acknowledged"), incident.acknowledged_at, incident.acknowledged_recorded_at),
        ("first_response", _("First public statement (holding)"), first_response and first_response.published_at,
         first_response and first_response.published_recorded_at),
        ("full_statement", _("Full statement"), full_statement and full_statement.published_at,
         full_statement and full_statement.published_recorded_at),
        ("contained", _("Contained"), incident.contained_at, None),
        ("resolved", _("Resolved"), incident.resolved_at, None),
    ]
    rows = []
    for key, label, at, recorded in moments:
        step = KEY_TIME_STEPS.get(key)
        deadline = next((d for d in deadline_rows if step and d["step_key"] == step and d["occurrence"] == 0
                         and d["kind"] == DeadlineKind.PLAYBOOK), None)
        delta, entered = None, entered_minutes(at, recorded)
        if deadline is not None and deadline["outcome"] in (MET, MET_LATE):
            at, entered = deadline["met_at"], deadline["entered_minutes_later"]
            delta = deadline["delta_minutes"] if deadline["outcome"] == MET else deadline["met_late_by_minutes"]
        rows.append({
            "key": key, "label": label, "at": at,
            "minutes_from_signal": minutes_between(t0, at),
            "target_minutes": minutes_between(t0, deadline and deadline["due_at"]),
            # Positive: later than the playbook asked; negative: ahead of it.
            "delta_minutes": delta,
            "deadline_id": deadline and deadline["id"],
            "outcome": deadline and deadline["outcome"],
            "outcome_label": deadline and deadline["outcome_label"],
            "entered_minutes_later": entered,
        })
    return rows


def _next_due(deadline: Deadline, deadlines: list[Deadline], passed: list[PassedCount]) -> datetime | None:
    """When the occurrence after this one of a repeating step fell due: a later deadline, or the first of
    a record of occurrences that went by unrecorded."""
    dues = [d.due_at for d in deadlines if d.step_key == deadline.step_key and d.kind == deadline.kind
            and d.occurrence > deadline.occurrence]
    dues += [c.record.first_due_at for c in passed if c.record.step_key == deadline.step_key
             and c.record.kind == deadline.kind and c.record.first_occurrence > deadline.occurrence]
    return min(dues, default=None)


def _deadline_end(deadline: Deadline, incident: Incident, next_due: datetime | None,
                  now: datetime) -> tuple[datetime, bool]:
    """Until when a breached deadline counts as late.

    Until it was met (late); but a recurring step rolls on, and once its next occurrence is due the
    lateness is that occurrence's to carry (a deadline, or one of a record of passed occurrences), so
    the same minutes are never counted twice. Never met: until resolution, or until now (still late)
    if the incident is open.
    """
    ends = [next_due] if next_due else []
    if deadline.met_at:
        ends.append(deadline.met_at)
    closed = incident.resolved_at or incident.closed_at
    if closed and not deadline.met_at:
        ends.append(closed)
    if ends:
        return max(min(ends), deadline.due_at), False
    return max(now, deadline.due_at), True


def outcome_label(verdict: Verdict, *, is_still_late: bool = False, show_entered: bool = True,
                  is_overdue_on_arrival: bool = False) -> str:
    """The verdict as people read it: "Met on time, entered 35 min later", "Met late by 40 min"."""
    main = {
        MET: _("Met on time"),
        MISSED: _("Missed, still late") if is_still_late else _("Missed"),
        WAIVED: _("Waived"),
        CANCELLED: _("Cancelled"),
    }.get(verdict.outcome, _("Pending"))
    if verdict.outcome == MET_LATE:
        main = _("Met late by %(span)s") % {"span": duration_label(verdict.late_minutes)}
    parts = [main]
    entered = verdict.entered_minutes_later
    if show_entered and entered is not None and entered > LIVE_ENTRY_MINUTES:
        parts.append(_("entered %(span)s later") % {"span": duration_label(entered)})
    if verdict.was_retracted:
        parts.append(_("its breach alarm was retracted"))
    if is_overdue_on_arrival and verdict.outcome in (MISSED, MET_LATE):
        parts.append(_("already missed when logged"))
    return ", ".join(parts)


def _deadlines(incident: Incident, deadlines: list[Deadline], breaches: list[Breach], passed: list[PassedCount],
               now: datetime) -> list[dict]:
    # The rule of verdicts.deadlines_retracted (a deadline whose breach was withdrawn: met in time after all,
    # or not owed), read from the breaches this report loads anyway for who retracted them and why.
    retracted = {b.deadline_id for b in breaches if b.retracted_at is not None}
    on_arrival = {b.deadline_id for b in breaches if b.is_on_arrival}
    # In a record of the past everything was entered later; the report says so once, not on every row.
    show_entered = not incident.is_retrospective
    rows = []
    for d in deadlines:
        verdict = deadline_verdict(d, retracted=d.pk in retracted)
        late, delta, open_ended = 0.0, None, False
        if d.state == DeadlineState.MET:
            delta = minutes_between(d.due_at, d.met_at)
        elif d.state == DeadlineState.BREACHED:
            end, open_ended = _deadline_end(d, incident, _next_due(d, deadlines, passed), now)
            delta = minutes_between(d.due_at, end)
            late = max(delta or 0.0, 0.0)
        rows.append({
            "id": d.pk, "step_key": d.step_key, "name": _(d.name), "kind": d.kind, "occurrence": d.occurrence,
            "due_at": d.due_at, "state": d.state, "state_label": DeadlineState(d.state).label,
            "met_at": d.met_at, "breached_at": d.breached_at, "waived_at": d.waived_at,
            "delta_minutes": delta, "late_minutes": late, "is_still_late": open_ended,
            "note": d.note, "waive_reason": d.waive_reason,
            "outcome": verdict.outcome,
            "outcome_label": outcome_label(verdict, is_still_late=open_ended, show_entered=show_entered,
                                           is_overdue_on_arrival=show_entered and d.pk in on_arrival),
            "met_late_by_minutes": verdict.late_minutes,
            "met_recorded_at": d.met_recorded_at,
            "entered_minutes_later": verdict.entered_minutes_later,
            "was_retracted": verdict.was_retracted,
            "is_overdue_on_arrival": d.pk in on_arrival,
        })
    return rows


def _retracted_breaches(breaches: list[Breach], deadlines: list[Deadline]) -> list[dict]:
    """Alarms that rang and were withdrawn: a fact entered later showed the deadline was met in time, or a
    resolution entered later showed it fell due only after the incident was over."""
    by_id = {d.pk: d for d in deadlines}
    return [{
        "deadline_id": b.deadline_id, "step_key": by_id[b.deadline_id].step_key,
        "name": _(by_id[b.deadline_id].name), "occurrence": by_id[b.deadline_id].occurrence,
        "due_at": b.breached_at, "flagged_at": b.recorded_at, "met_at": by_id[b.deadline_id].met_at,
        "retracted_at": b.retracted_at, "retracted_by": person(b.retracted_by), "reason": b.retraction_reason,
    } for b in breaches if b.retracted_at is not None and b.deadline_id in by_id]


def _passed(incident: Incident, count: PassedCount, now: datetime) -> dict:
    """A record of occurrences that went by unrecorded, judged like deadlines would have been.

    Only what fell due by the resolution is owed (a resolution entered later, with its past time, leaves
    the rest of a record written before it). Each missed occurrence is late until the next one falls
    due, as a missed deadline of a repeating step is, and no later than the resolution or the report.
    """
    record = count.record
    every = timedelta(seconds=record.recurrence_seconds)
    over = incident.resolved_at or incident.closed_at
    covered = count.covered or (False,) * record.count
    owed = [(due, made) for due, made in zip(record.due_times(), covered, strict=False) if over is None or due <= over]
    limit = over or now
    late = sum(max(minutes_between(due, min(due + every, limit)) or 0.0, 0.0) for due, made in owed if not made)
    made = sum(1 for _due, was_made in owed if was_made)
    expected = len(owed)
    values = {"n": expected, "made": made}
    if record.is_before_logging:
        label = ngettext("%(n)d occurrence expected before this was logged, %(made)d made",
                         "%(n)d occurrences expected before this was logged, %(made)d made", expected) % values
    else:
        label = ngettext("%(n)d occurrence went by while nobody could act, %(made)d made",
                         "%(n)d occurrences went by while nobody could act, %(made)d made", expected) % values
    return {
        "step_key": record.step_key, "name": _(record.name), "kind": record.kind,
        "first_occurrence": record.first_occurrence, "count": record.count,
        "first_due_at": record.first_due_at, "last_due_at": record.last_due_at,
        "every_minutes": round(record.recurrence_seconds / 60, 1), "is_before_logging": record.is_before_logging,
        "recorded_at": record.recorded_at,
        "last_owed_due_at": owed[-1][0] if owed else None,
        "expected": expected, "made": made, "missed": expected - made, "late_minutes": round(late, 1),
        "not_owed": record.count - expected, "label": label,
    }


def _figures(incident: Incident, deadlines: list[dict], passed: list[dict], first_response, full_statement,
             timeline: list[dict]) -> dict:
    t0 = incident.first_public_signal_at
    states = [d["state"] for d in deadlines]
    outcomes = [d["outcome"] for d in deadlines]
    passed_late = round(sum(p["late_minutes"] for p in passed), 1)
    return {
        "time_to_detect_minutes": minutes_between(t0, incident.detected_at),
        "time_to_acknowledge_minutes": minutes_between(t0, incident.acknowledged_at),
        "detect_to_acknowledge_minutes": minutes_between(incident.detected_at, incident.acknowledged_at),
        "time_to_first_response_minutes": minutes_between(t0, first_response and first_response.published_at),
        "time_to_full_statement_minutes": minutes_between(t0, full_statement and full_statement.published_at),
        "time_to_resolve_minutes": minutes_between(t0, incident.resolved_at),
        # Occurrences that went by unrecorded are as late as the deadlines they would have been.
        "total_breached_minutes": round(sum(d["late_minutes"] for d in deadlines) + passed_late, 1),
        "deadlines_met": states.count(DeadlineState.MET),
        "deadlines_breached": states.count(DeadlineState.BREACHED),
        "deadlines_waived": states.count(DeadlineState.WAIVED),
        "deadlines_pending": states.count(DeadlineState.PENDING),
        "deadlines_met_late": outcomes.count(MET_LATE),
        "deadlines_missed": outcomes.count(MISSED),
        "deadlines_cancelled": outcomes.count(CANCELLED),
        "breaches_retracted": sum(1 for d in deadlines if d["was_retracted"]),
        "passed_occurrences_expected": sum(p["expected"] for p in passed),
        "passed_occurrences_made": sum(p["made"] for p in passed),
        "passed_occurrences_missed": sum(p["missed"] for p in passed),
        "passed_occurrences_late_minutes": passed_late,
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
            "share_price_move_pct": cp.share_price_move_pct,
            "livestream_comment_count": cp.livestream_comment_count,
            "livestream_negative_share": cp.livestream_negative_share, "hot_search_minutes": cp.hot_search_minutes,
            "is_correction": cp.corrects_id is not None,
            "recorded_at": cp.recorded_at, "entered_minutes_later": entered_minutes(cp.measured_at, cp.recorded_at),
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
    """Opinion around a statement: the reading it spoke into, the last one within the following hour and,
    when nobody measured in that hour, the nearest reading after it, each with its distance in time.
    Changes are only figured within the hour: a reading a day later says little about one statement."""
    published = statement.published_at
    before = point_before(checkpoints, published)
    after = point_after(checkpoints, published)
    nearest = point_next(checkpoints, published) if after is None else None
    return {
        "statement_id": statement.pk, "title": str(statement), "kind": statement.kind,
        "channel": statement.channel, "published_at": published, "is_off_script": statement.is_off_script,
        "before": _snapshot(before), "after": _snapshot(after),
        "negative_share_change": change(before and before.negative_share, after and after.negative_share),
        "volume_change": change(before and before.mention_volume, after and after.mention_volume, 0),
        "volume_change_pct": percent_change(before and before.mention_volume, after and after.mention_volume),
        "has_measurement_in_window": after is not None,
        "before_minutes_earlier": minutes_between(before and before.measured_at, published),
        "after_minutes_later": minutes_between(published, after and after.measured_at),
        "nearest_after": _snapshot(nearest),
        "nearest_after_minutes_later": minutes_between(published, nearest and nearest.measured_at),
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
        "is_off_script": statement.is_off_script,
        "published_at": statement.published_at, "retracted_at": statement.retracted_at,
        "published_recorded_at": statement.published_recorded_at,
        "entered_minutes_later": entered_minutes(statement.published_at, statement.published_recorded_at),
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


TIMELINE_FIELDS = ("id", "kind", "occurred_at", "recorded_at", "body", "message", "source_url", "is_pinned",
                   "corrects_id", "actor__first_name", "actor__last_name", "actor__username")


def _timeline(incident: Incident) -> list[dict]:
    """The full timeline in time order, each correction linked both ways, from one query."""
    rows = TimelineEvent.objects.filter(incident=incident).order_by("occurred_at", "id").values_list(
        *TIMELINE_FIELDS)
    kinds = dict(EventKind.choices)
    events = []
    corrected_by: dict[int, int] = {}
    for pk, kind, occurred, recorded, body, message, url, pinned, corrects, first, last, username in rows.iterator(
            chunk_size=5000):
        if corrects:
            corrected_by[corrects] = pk
        # ``body`` stays the English record; ``text`` is the line in the report's language (system lines
        # are rendered, what people wrote is as written).
        events.append({"id": pk, "kind": kind, "kind_label": str(kinds.get(kind, kind)), "occurred_at": occurred,
                       "recorded_at": recorded, "actor": _person_from_values(first, last, username), "body": body,
                       "text": line_render(message) or body, "message": message,
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
            "status": item.status, "status_label": item.get_status_display(), "completed_at": item.completed_at,
            "is_open": item.status in OPEN_ITEM_STATUSES}


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
