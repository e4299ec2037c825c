"""An action item with a due date is an owned deadline (kind ACTION_ITEM): it warns its owner, and when it
slips it pages the owner, then the incident's commander, even long after the incident is over.

A due date is a date: the item is due at the end of that day in the incident's time zone (midnight at the
start of the next day there), so "due 3 December" in Shanghai is due at 2026-12-03 16:00 UTC.

Called from the action item services, inside their transaction, after the item's row was written.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max

from crisis.models import Deadline, DeadlineKind, DeadlineState, Incident
from crisis.services.owned_deadlines import (
    owned_deadline_cancel,
    owned_deadline_create,
    owned_deadline_for,
    owned_deadline_move,
    owned_deadline_settle,
    owned_step_key,
)

from .models import ActionItem, ActionItemStatus

RECORD_TYPE = "action_item"
# The warnings sweep looks three hours ahead (crisis/oncall/warnings.py LOOK_AHEAD): an earlier lead time
# would not be seen, so the owner hears in the evening of the due day, before it slips at midnight.
WARN_BEFORE = timedelta(hours=3)
OPEN_ITEM_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)


def action_item_due_at(*, due_on: date, incident: Incident) -> datetime:
    """The end of ``due_on`` in the incident's time zone."""
    return datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=ZoneInfo(incident.time_zone))


def action_item_deadline(item: ActionItem) -> Deadline | None:
    return owned_deadline_for(record_type=RECORD_TYPE, record_id=item.pk, incident=item.incident)


def action_item_deadline_sync(*, item: ActionItem, actor) -> Deadline | None:
    """Bring the item's deadline in line with the item: created, moved, re-owned, settled or cancelled."""
    incident = item.incident
    deadline = action_item_deadline(item)
    live = deadline is not None and (deadline.state == DeadlineState.PENDING
                                     or (deadline.state == DeadlineState.BREACHED and deadline.met_at is None))
    if item.status == ActionItemStatus.DONE:
        if live:
            # Done at completed_at: on time, or met late if the end of its due day had passed.
            return owned_deadline_settle(deadline=deadline, happened_at=item.completed_at, actor=actor)
        return deadline
    if item.status == ActionItemStatus.DROPPED or item.due_on is None:
        if live:
            return owned_deadline_cancel(deadline=deadline, reason=item.title)
        return deadline
    due_at = action_item_due_at(due_on=item.due_on, incident=incident)
    if live and deadline.owner_id == item.owner_id:
        if deadline.due_at == due_at:
            return deadline
        if deadline.state == DeadlineState.PENDING:
            return owned_deadline_move(deadline=deadline, due_at=due_at)
    if live:
        # A new owner, or a new date for an item that already slipped: the miss stays on the record
        # (its page is resolved) and the item owes a fresh deadline.
        owned_deadline_cancel(deadline=deadline, reason=item.title)
    return _create(item, incident, due_at)


def _create(item: ActionItem, incident: Incident, due_at: datetime) -> Deadline:
    occurrence = (Deadline.objects.filter(incident=incident, kind=DeadlineKind.ACTION_ITEM,
                                          step_key=owned_step_key(RECORD_TYPE, item.pk))
                  .aggregate(n=Max("occurrence"))["n"])
    return owned_deadline_create(
        incident=incident, kind=DeadlineKind.ACTION_ITEM, record_type=RECORD_TYPE, record_id=item.pk,
        name=item.title, due_at=due_at, owner=item.owner_id, warn_before=WARN_BEFORE,
        occurrence=0 if occurrence is None else occurrence + 1)
