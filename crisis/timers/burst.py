"""A burst of due deadlines breached in a few set-based statements (PostgreSQL).

The ORM path (``deadlines_breach_locked``) builds a model object per deadline, per timeline event and
per outbox row; with 5,000 deadlines due in one second that alone took seconds. Here one statement
locks the due rows (``FOR UPDATE SKIP LOCKED``, on the partial index ``deadline_pending_due``), flips
them to breached, and writes their ``Breach`` outbox rows and their timeline lines (worded in the
database from the translated templates, in each incident's time zone). What follows for repeating
steps (usually a handful) goes through the same rolling code as everywhere else. The rows written are
the ORM path's, column for column (tests/timers/test_burst.py compares them), so every invariant
holds: a breach per (deadline, version), written in the transaction that flips the state; history
appended, never rewritten.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Breach, Deadline, DeadlineKind, DeadlineState, EventKind, Incident, TimelineEvent

from .wording import CADENCE_STEP

D, B, E, INC = (Deadline._meta.db_table, Breach._meta.db_table, TimelineEvent._meta.db_table,
                Incident._meta.db_table)
# Table names come from the models; every value, the wording included, is a parameter.
BREACH_DUE = f"""
WITH unhurried AS (
    -- Commit without waiting for the WAL to reach the disk (for this transaction only). Under write load
    -- that wait was 35-600 ms of the steady stream's due -> breach p99, for a record the engine can always
    -- derive again: a crash loses at most the last few hundred milliseconds of breaches, whole (state,
    -- outbox row and line together), and the first sweep after recovery finds those deadlines pending and
    -- due and breaches them again. Nothing was paged for a lost one: its dispatch commits synchronously,
    -- which flushes the WAL up to and past the breach. A CTE, not a SET LOCAL: one round trip a sweep.
    SELECT set_config('synchronous_commit', 'off', true)
), due AS (
    SELECT id FROM {D}, unhurried
    WHERE state = %(pending)s AND due_at <= %(now)s
    ORDER BY due_at
    LIMIT %(limit)s
    FOR UPDATE OF {D} SKIP LOCKED
), breached AS (
    UPDATE {D} AS d SET state = %(breached)s, breached_at = %(now)s, version = d.version + 1
    FROM due WHERE d.id = due.id AND d.state = %(pending)s
    RETURNING d.id, d.incident_id, d.kind, d.step_key, d.name, d.occurrence, d.due_at, d.version - 1 AS old_version,
              d.responsible_role, d.subject
), described AS (
    SELECT b.*,
           b.kind = %(playbook)s AND EXISTS (
               SELECT 1 FROM jsonb_array_elements(i.playbook_snapshot) AS step
               WHERE step ->> 'key' = b.step_key AND step ->> 'recurrence_seconds' IS NOT NULL) AS repeats,
           replace(replace(CASE WHEN b.kind = %(escalation)s THEN %(unacknowledged)s
                                WHEN b.step_key = %(cadence)s THEN %(stale)s
                                ELSE %(missed)s END,
                           %(name_slot)s, b.name),
                   %(due_slot)s, to_char(b.due_at AT TIME ZONE i.time_zone, 'HH24:MI')) AS body,
           -- The same line as data (crisis/system_lines.py, wording.breach_line), read in each reader's language.
           jsonb_build_object(
               'key', CASE WHEN b.kind = %(escalation)s THEN 'deadline.unacknowledged'
                           WHEN b.step_key = %(cadence)s THEN 'deadline.stale'
                           ELSE 'deadline.missed' END,
               'params', jsonb_build_object(
                   'name', COALESCE(b.subject -> 'name_line', jsonb_build_object('t', b.name)),
                   'due', to_char(b.due_at AT TIME ZONE i.time_zone, 'HH24:MI'))) AS message,
           -- Python's isoformat() of an aware UTC datetime, as the ORM path writes it.
           to_char(b.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
               || CASE WHEN extract(microseconds FROM b.due_at)::int %% 1000000 = 0 THEN ''
                       ELSE '.' || to_char(b.due_at AT TIME ZONE 'UTC', 'US') END
               || '+00:00' AS due_iso
    FROM breached AS b JOIN {INC} AS i ON i.id = b.incident_id
), outbox AS (
    INSERT INTO {B} (deadline_id, deadline_version, incident_id, breached_at, recorded_at, is_on_arrival,
                     retraction_reason)
    SELECT id, old_version, incident_id, due_at, now(), false, '' FROM breached
    RETURNING id, deadline_id
), lines AS (
    INSERT INTO {E} (incident_id, kind, occurred_at, recorded_at, body, message, source_url, is_pinned, metadata)
    SELECT incident_id, %(deadline_event)s, due_at, %(recorded)s, body, message, '', false,
           jsonb_build_object('deadline_id', id, 'state', %(breached)s, 'step', step_key, 'due_at', due_iso,
                              'version', old_version)
    FROM described
)
SELECT d.id, d.incident_id, d.kind, d.step_key, d.name, d.occurrence, d.due_at, d.responsible_role, d.repeats, o.id
FROM described AS d JOIN outbox AS o ON o.deadline_id = d.id
ORDER BY d.due_at, d.id
"""  # noqa: S608

INCIDENT_FIELDS = ("id", "organization_id", "status", "time_zone", "playbook_snapshot", "first_public_signal_at",
                   "resolved_at", "closed_at", "created_at", "is_retrospective")


@dataclass(frozen=True)
class _Row:
    pk: int
    incident_id: int
    kind: str
    step_key: str
    name: str
    occurrence: int
    due_at: datetime
    responsible_role: str
    repeats: bool
    breach_id: int


def _wording() -> dict[str, str]:
    """The breach lines' English wording (the body; readers get ``message``), with slots filled per row."""
    with translation.override("en"):
        return _slotted()


def _slotted() -> dict[str, str]:
    slots = {"name": "{{name}}", "due": "{{due}}"}
    return {
        "unacknowledged": _("Nobody acknowledged by %(due)s: %(name)s.") % slots,
        "stale": _("Sentiment is stale: %(name)s was due at %(due)s.") % slots,
        "missed": _("Deadline missed: %(name)s was due at %(due)s.") % slots,
        "name_slot": slots["name"], "due_slot": slots["due"],
    }


def deadlines_breach_due_in_bulk(*, now: datetime, limit: int) -> int:
    """Breach up to ``limit`` due deadlines nobody else holds, in the caller's transaction; how many.

    One round trip for the state change, the outbox rows and the timeline lines together; a repeating
    step's next occurrence costs a few more, only when there is one."""
    with connection.cursor() as cursor:
        cursor.execute(BREACH_DUE, {
            "pending": DeadlineState.PENDING, "breached": DeadlineState.BREACHED, "now": now, "limit": limit,
            "playbook": DeadlineKind.PLAYBOOK, "escalation": DeadlineKind.ESCALATION, "cadence": CADENCE_STEP,
            "deadline_event": EventKind.DEADLINE, "recorded": clock.recorded_now(), **_wording(),
        })
        rows = [_Row(*values) for values in cursor.fetchall()]
    if not rows:
        return 0
    _roll([row for row in rows if row.repeats], now)
    from .breach import breaches_log_after_commit
    from .scheduling import breaches_dispatch_after_commit

    breaches_dispatch_after_commit(breach_ids=[row.breach_id for row in rows])
    breaches_log_after_commit([(row.incident_id, row.pk, row.due_at) for row in rows])
    return len(rows)


def _roll(rows: list[_Row], now: datetime) -> None:
    """Repeating steps roll on exactly as after any breach."""
    if not rows:
        return
    from crisis.playbooks.rolling import deadlines_roll_after_breach

    incidents = Incident.objects.only(*INCIDENT_FIELDS).in_bulk({row.incident_id for row in rows})
    deadlines_roll_after_breach(deadlines=[
        Deadline(pk=row.pk, incident_id=row.incident_id, kind=row.kind, step_key=row.step_key, name=row.name,
                 occurrence=row.occurrence, due_at=row.due_at, responsible_role=row.responsible_role)
        for row in rows], incidents=incidents, now=now)
