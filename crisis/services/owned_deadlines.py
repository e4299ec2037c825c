"""Owned deadlines: a promise made in public, a statement waiting for an approver, a journalist's
question, a post-mortem action item. Each is owed by a person, not by the desk as a whole.

They run on the deadline engine like any playbook step (timers, the sweeper, breaches, the outbox), with
two differences that live here and in on-call:
- the alarm goes to a chain of people, in order: the owner, their deputies, then whoever commands the
  incident (``subject["chain"]``, walked by on-call like an escalation policy's levels);
- nothing in the playbook meets them: the feature that owns the record settles or cancels its deadline
  (``owned_deadline_settle`` / ``owned_deadline_cancel``), in its own transaction.

These are building blocks for the features' services, which write the timeline event and the audit row
for the change people made; the engine's own lines (missed, met, met late) are written here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import OWNED_KINDS, Deadline, DeadlineState, Incident, TimelineEvent

from .deadlines import deadline_lock, deadline_lock_settleable
from .errors import ConcurrentUpdate, InvalidTransition

# How long each person in a chain has to acknowledge the page before the next one is paged.
DEFAULT_WAIT = timedelta(minutes=5)


@dataclass(frozen=True)
class ChainLink:
    """One person to page, or the incident's commander (``user_id`` None), and how long they have."""

    user_id: int | None
    wait: timedelta = DEFAULT_WAIT

    def as_json(self) -> dict:
        who = {"user": self.user_id} if self.user_id is not None else {"role": "commander"}
        return {**who, "wait": int(self.wait.total_seconds())}


def owner_chain(*, owner_id: int | None, deputy_ids: list[int] = (), wait: timedelta = DEFAULT_WAIT,
                commander_last: bool = True) -> list[ChainLink]:
    """The owner, then each deputy, then the commander; each person once."""
    seen: set[int] = set()
    links = []
    for user_id in (owner_id, *deputy_ids):
        if user_id is not None and user_id not in seen:
            seen.add(user_id)
            links.append(ChainLink(user_id, wait))
    if commander_last:
        links.append(ChainLink(None, wait))
    return links


def owned_subject(*, record_type: str, record_id: int, chain: list[ChainLink],
                  warn_before: timedelta | None = None) -> dict:
    subject = {"type": record_type, "id": record_id, "chain": [link.as_json() for link in chain]}
    if warn_before:
        subject["warn_before_seconds"] = int(warn_before.total_seconds())
    return subject


def owned_step_key(record_type: str, record_id: int) -> str:
    return f"{record_type}-{record_id}"


def owned_deadline_create(*, incident: Incident, kind: str, record_type: str, record_id: int, name: str,
                          due_at: datetime, owner, chain: list[ChainLink] | None = None,
                          warn_before: timedelta | None = None, occurrence: int = 0) -> Deadline:
    """A pending deadline for the record ``record_type``/``record_id``, in the caller's transaction.

    Due in the past already (a promise logged after its time, an inquiry entered late): it is breached at
    once, on arrival, and paged with the others an incident had missed when it was logged. ``name`` is
    what people wrote (a promise's words) and is shown as it is, in any language. A record that owes a
    fresh deadline after an earlier one was settled or cancelled passes the next ``occurrence``."""
    if kind not in OWNED_KINDS:
        raise ValueError(f"{kind} is not an owned deadline kind")
    owner_id = getattr(owner, "pk", owner)
    chain = chain if chain is not None else owner_chain(owner_id=owner_id)
    deadline = Deadline.objects.create(
        incident=incident, kind=kind, step_key=owned_step_key(record_type, record_id), name=name[:200],
        occurrence=occurrence, due_at=due_at, owner_id=owner_id,
        subject=owned_subject(record_type=record_type, record_id=record_id, chain=chain, warn_before=warn_before),
    )
    _schedule(deadline, incident)
    return deadline


def owned_deadline_for(*, record_type: str, record_id: int, incident: Incident) -> Deadline | None:
    return (Deadline.objects.filter(incident=incident, kind__in=OWNED_KINDS,
                                    step_key=owned_step_key(record_type, record_id))
            .order_by("-occurrence").first())


def owned_deadline_settle(*, deadline: Deadline, happened_at: datetime, actor, event: TimelineEvent | None = None,
                          note: str = "") -> Deadline:
    """The owner did it at ``happened_at`` (maybe earlier than now): met on time, or met late. A breach
    that a fact entered later shows was false is retracted and its page resolved, as for playbook steps.
    Compare-and-set on the version the caller read: a lost race raises ConcurrentUpdate."""
    from crisis.playbooks.satisfaction import deadline_record_met
    from crisis.timers.breach import deadlines_breach_locked

    with transaction.atomic():
        fresh = deadline_lock_settleable(
            deadline, happened_at, refusal=_("Only a pending or missed deadline can be met; this one is %(state)s."))
        now = clock.now()
        incident = fresh.incident
        if fresh.state == DeadlineState.PENDING and fresh.due_at < happened_at:
            deadlines_breach_locked(deadlines=[fresh], now=now)
        if not deadline_record_met(deadline=fresh, incident=incident, happened_at=happened_at, now=now,
                                   event=event, note=note, actor=actor):
            raise ConcurrentUpdate(_("This deadline changed since you loaded it; reload and try again."),
                                   field="version")
    return fresh


def owned_deadline_cancel(*, deadline: Deadline, reason: str = "") -> Deadline | None:
    """Nothing is owed any more (a promise withdrawn, an inquiry closed without a reply, an item dropped).
    A pending deadline is cancelled; a breached one keeps its record, and its open page is resolved."""
    from crisis.playbooks.satisfaction import deadline_alarm_settle

    with transaction.atomic():
        fresh = Deadline.objects.select_for_update(of=("self",)).get(pk=deadline.pk)
        now = clock.now()
        if fresh.state == DeadlineState.PENDING:
            if Deadline.objects.filter(pk=fresh.pk, version=fresh.version, state=DeadlineState.PENDING).update(
                    state=DeadlineState.CANCELLED, cancelled_at=now, note=reason[:2000],
                    version=F("version") + 1) != 1:
                raise ConcurrentUpdate(_("This deadline changed since you loaded it; reload and try again."),
                                       field="version")
            fresh.refresh_from_db()
            return fresh
        if fresh.state == DeadlineState.BREACHED and fresh.met_at is None:
            deadline_alarm_settle(deadline=fresh, retracted=False, actor=None, now=now, reason=reason)
        return fresh


def owned_deadline_move(*, deadline: Deadline, due_at: datetime) -> Deadline:
    """A new due time for a pending owned deadline (a promise's time corrected, a reply-by agreed later);
    overdue at once if that is in the past."""
    with transaction.atomic():
        fresh = deadline_lock(deadline)
        if fresh.state != DeadlineState.PENDING:
            raise InvalidTransition(_("Only a pending deadline can be moved; this one is %(state)s.")
                                    % {"state": DeadlineState(fresh.state).label.lower()}, field="state")
        Deadline.objects.filter(pk=fresh.pk, version=fresh.version).update(due_at=due_at, version=F("version") + 1)
        fresh.due_at, fresh.version = due_at, fresh.version + 1
        _schedule(fresh, fresh.incident)
    return fresh


def _schedule(deadline: Deadline, incident: Incident) -> None:
    from crisis.timers.breach import deadlines_breach_overdue
    from crisis.timers.scheduling import deadlines_schedule

    deadlines_schedule(deadlines=[deadline])
    now = clock.now()
    if deadline.due_at <= now:
        deadlines_breach_overdue(incident=incident, now=now, kinds=(deadline.kind,))
