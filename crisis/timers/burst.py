"""A burst of due deadlines breached in a few set-based statements (PostgreSQL).

The ORM path (``deadlines_breach_locked``) builds a model object per deadline, per timeline event and
per outbox row; with 5,000 deadlines due in one second that alone took seconds. Here one statement
locks the due rows (``FOR UPDATE SKIP LOCKED``, on the partial index ``deadline_pending_due``), flips
them to breached and writes their ``Breach`` outbox rows, returning what the timeline needs; a second
inserts the timeline events from arrays. What follows for repeating steps (usually a handful) goes
through the same rolling code as everywhere else. The rows written are the ORM path's, column for
column (tests/timers/test_burst.py compares them), so every invariant holds: a breach per (deadline,
version), written in the transaction that flips the state; history appended, never rewritten.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from crisis import clock
from crisis.models import Breach, Deadline, DeadlineKind, DeadlineState, EventKind, Incident, TimelineEvent

from .wording import breach_text

D, B, E = Deadline._meta.db_table, Breach._meta.db_table, TimelineEvent._meta.db_table

# Table names come from the models, values are parameters.
LOCK_AND_BREACH = f"""
WITH due AS (
    SELECT id FROM {D}
    WHERE state = %(pending)s AND due_at <= %(now)s
    ORDER BY due_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), breached AS (
    UPDATE {D} AS d SET state = %(breached)s, breached_at = %(now)s, version = d.version + 1
    FROM due WHERE d.id = due.id AND d.state = %(pending)s
    RETURNING d.id, d.incident_id, d.kind, d.step_key, d.name, d.occurrence, d.due_at, d.version - 1 AS old_version,
              d.responsible_role
), outbox AS (
    INSERT INTO {B} (deadline_id, deadline_version, incident_id, breached_at, recorded_at, is_on_arrival,
                     retraction_reason)
    SELECT id, old_version, incident_id, due_at, now(), false, '' FROM breached
    RETURNING id, deadline_id
)
SELECT b.id, b.incident_id, b.kind, b.step_key, b.name, b.occurrence, b.due_at, b.old_version, b.responsible_role,
       o.id
FROM breached AS b JOIN outbox AS o ON o.deadline_id = b.id
ORDER BY b.due_at, b.id
"""  # noqa: S608

INSERT_EVENTS = f"""
INSERT INTO {E} (incident_id, kind, occurred_at, recorded_at, body, source_url, is_pinned, metadata)
SELECT incident_id, %s, occurred_at, %s, body, '', false, metadata
FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::jsonb[]) AS t(incident_id, occurred_at, body, metadata)
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
    old_version: int
    responsible_role: str
    breach_id: int


def deadlines_breach_due_in_bulk(*, now: datetime, limit: int) -> int:
    """Breach up to ``limit`` due deadlines nobody else holds, in the caller's transaction; how many."""
    with connection.cursor() as cursor:
        cursor.execute(LOCK_AND_BREACH, {"pending": DeadlineState.PENDING, "breached": DeadlineState.BREACHED,
                                         "now": now, "limit": limit})
        rows = [_Row(*values) for values in cursor.fetchall()]
    if not rows:
        return 0
    incidents = Incident.objects.only(*INCIDENT_FIELDS).in_bulk({row.incident_id for row in rows})
    _timeline_insert(rows, incidents)
    _roll(rows, incidents, now)
    from .scheduling import breaches_dispatch_after_commit

    breaches_dispatch_after_commit(breach_ids=[row.breach_id for row in rows])
    return len(rows)


def _timeline_insert(rows: list[_Row], incidents: dict[int, Incident]) -> None:
    bodies = [breach_text(kind=row.kind, step_key=row.step_key, name=row.name, due_at=row.due_at,
                          time_zone=incidents[row.incident_id].time_zone, overdue_on_arrival=False) for row in rows]
    metadata = [json.dumps({"deadline_id": row.pk, "state": DeadlineState.BREACHED, "step": row.step_key,
                            "due_at": row.due_at.isoformat(), "version": row.old_version}) for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(INSERT_EVENTS, [EventKind.DEADLINE, clock.recorded_now(), [row.incident_id for row in rows],
                                       [row.due_at for row in rows], bodies, metadata])


def _roll(rows: list[_Row], incidents: dict[int, Incident], now: datetime) -> None:
    """Repeating steps roll on exactly as after any breach; most rows are not repeating and cost nothing."""
    from crisis.playbooks.rolling import deadlines_roll_after_breach

    repeating = [Deadline(pk=row.pk, incident_id=row.incident_id, kind=row.kind, step_key=row.step_key, name=row.name,
                          occurrence=row.occurrence, due_at=row.due_at, responsible_role=row.responsible_role)
                 for row in rows if row.kind == DeadlineKind.PLAYBOOK
                 and _repeats(incidents[row.incident_id], row.step_key)]
    deadlines_roll_after_breach(deadlines=repeating, incidents=incidents, now=now)


def _repeats(incident: Incident, step_key: str) -> bool:
    return any(step["key"] == step_key and step.get("recurrence_seconds") for step in incident.playbook_snapshot)
