"""People acting on deadlines: extend with a reason, waive with a reason, tick off by hand."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import OWNED_KINDS, Deadline, DeadlineKind, DeadlineState, EventKind, Role, SatisfiedBy
from crisis.system_lines import line, msgid

from .access import membership_require
from .audit import audit_record
from .errors import ConcurrentUpdate, InvalidTransition
from .timeline import timeline_event_append
from .validation import FieldErrors, check_happened_at, check_number, check_text


def _refuse_owned(deadline: Deadline) -> None:
    """An owned deadline is the clock of a record (a promise, an approval step, a question, an action item):
    settled, moved or waived here, the record would still say open while its deadline says done. A kind never
    changes, so the row as loaded says it."""
    if deadline.kind not in OWNED_KINDS:
        return
    raise InvalidTransition({
        DeadlineKind.COMMITMENT: _("This deadline is a promise's: keep, move or withdraw the promise itself."),
        DeadlineKind.APPROVAL: _("This deadline is an approval step's: approve the step itself, or take the "
                                 "statement out of review."),
        DeadlineKind.INQUIRY: _("This deadline is a journalist's question's: answer or close the inquiry itself."),
        DeadlineKind.ACTION_ITEM: _("This deadline is an action item's: change the item itself (its status or "
                                    "due date)."),
    }[deadline.kind], field="kind")


def _lock_pending(deadline: Deadline, action: str) -> Deadline:
    fresh = deadline_lock(deadline)
    if fresh.state != DeadlineState.PENDING:
        raise InvalidTransition(_("Only a pending deadline can be %(action)s; this one is %(state)s.")
                                % {"action": action, "state": DeadlineState(fresh.state).label.lower()},
                                field="state")
    return fresh


@transaction.atomic
def deadline_extend(*, deadline: Deadline, actor, minutes: int, reason: str) -> Deadline:
    _refuse_owned(deadline)
    incident = deadline.incident
    membership_require(user=actor, organization=incident.organization, role=Role.COMMANDER)
    errors = FieldErrors()
    check_number(errors, "minutes", minutes, minimum=1, maximum=7 * 24 * 60, integer=True)
    check_text(errors, "reason", reason, max_length=2000)
    errors.raise_if_any()
    fresh = _lock_pending(deadline, _("extended"))
    due = fresh.due_at + timedelta(minutes=int(minutes))
    Deadline.objects.filter(pk=fresh.pk, version=fresh.version).update(due_at=due, version=F("version") + 1)
    deadline.due_at, deadline.version = due, fresh.version + 1
    timeline_event_append(incident=incident, kind=EventKind.DEADLINE, actor=actor,
                          line=line("deadline.extended", m=int(minutes), name=msgid(fresh.name), r=reason),
                          metadata={"deadline_id": fresh.pk, "to": due.isoformat(), "version": deadline.version})
    audit_record(organization=incident.organization, actor=actor, action="deadline.extend", obj=fresh,
                 changes={"minutes": minutes, "reason": reason})
    from crisis.timers.breach import deadlines_breach_overdue
    from crisis.timers.scheduling import deadlines_schedule

    deadlines_schedule(deadlines=[deadline])
    deadlines_breach_overdue(incident=incident, now=clock.now())
    return deadline


@transaction.atomic
def deadline_waive(*, deadline: Deadline, actor, reason: str) -> Deadline:
    _refuse_owned(deadline)
    incident = deadline.incident
    membership_require(user=actor, organization=incident.organization, role=Role.COMMANDER)
    errors = FieldErrors()
    check_text(errors, "reason", reason, max_length=2000)
    errors.raise_if_any()
    fresh = _lock_pending(deadline, _("waived"))
    now = clock.now()
    Deadline.objects.filter(pk=fresh.pk, version=fresh.version).update(
        state=DeadlineState.WAIVED, waived_at=now, waive_reason=reason, version=F("version") + 1)
    deadline.state, deadline.waived_at, deadline.waive_reason = DeadlineState.WAIVED, now, reason
    deadline.version = fresh.version + 1
    timeline_event_append(incident=incident, kind=EventKind.DEADLINE, actor=actor,
                          line=line("deadline.waived", name=msgid(fresh.name), r=reason),
                          metadata={"deadline_id": fresh.pk, "state": DeadlineState.WAIVED})
    audit_record(organization=incident.organization, actor=actor, action="deadline.waive", obj=fresh,
                 changes={"reason": reason})
    from crisis.playbooks.rolling import deadline_next_occurrence

    deadline_next_occurrence(deadline=fresh, incident=incident, anchor=fresh.due_at, now=now)
    return deadline


@transaction.atomic
def deadline_mark_met(*, deadline: Deadline, actor, note: str, happened_at: datetime | None = None) -> Deadline:
    """Tick a step off by hand, saying when it was done if that was earlier. Manual steps are anyone's
    job; overriding an automatic one is the commander's. A breached deadline may be ticked off too:
    done in time after all retracts the breach, done late records by how much."""
    _refuse_owned(deadline)
    incident = deadline.incident
    from crisis.playbooks.satisfaction import deadline_record_met
    from crisis.playbooks.steps import step_for

    step = step_for(incident, deadline)
    is_manual = step is not None and step["satisfied_by"] == SatisfiedBy.MANUAL
    membership_require(user=actor, organization=incident.organization,
                       role=Role.RESPONDER if is_manual else Role.COMMANDER)
    now = clock.now()
    errors = FieldErrors()
    check_text(errors, "note", note, max_length=5000)
    check_happened_at(errors, "happened_at", happened_at, required=False,
                      first_public_signal_at=incident.first_public_signal_at)
    errors.raise_if_any()
    happened = happened_at or now
    fresh = deadline_lock_settleable(deadline, happened)
    fresh.incident = incident
    event = timeline_event_append(incident=incident, kind=EventKind.ACTION, actor=actor, occurred_at=happened,
                                  line=line("deadline.ticked_off", name=msgid(fresh.name), note=note))
    if fresh.state == DeadlineState.PENDING and fresh.due_at < happened:
        from crisis.timers.breach import deadlines_breach_locked

        deadlines_breach_locked(deadlines=[fresh], now=now)
    deadline_record_met(deadline=fresh, incident=incident, happened_at=happened, now=now, event=event, note=note,
                        actor=actor)
    audit_record(organization=incident.organization, actor=actor, action="deadline.mark_met", obj=fresh,
                 changes={"note": note, "happened_at": happened.isoformat()})
    return fresh


def deadline_lock(deadline: Deadline) -> Deadline:
    """Lock the deadline's row, still at the version the caller read (else ConcurrentUpdate)."""
    fresh = Deadline.objects.select_for_update(of=("self",)).select_related("incident").get(pk=deadline.pk)
    if fresh.version != deadline.version:
        raise ConcurrentUpdate(_("This deadline changed since you loaded it; reload and try again."),
                               field="version")
    return fresh


def deadline_lock_settleable(deadline: Deadline, happened: datetime, *, refusal: str | None = None) -> Deadline:
    """Lock a deadline that a fact at ``happened`` can still settle: pending, or breached and not met
    earlier than that. ``refusal`` says it otherwise, with %(state)s."""
    fresh = deadline_lock(deadline)
    settleable = fresh.state == DeadlineState.PENDING or (
        fresh.state == DeadlineState.BREACHED and (fresh.met_at is None or fresh.met_at > happened))
    if not settleable:
        refusal = refusal or _("Only a pending or missed deadline can be ticked off; this one is %(state)s.")
        raise InvalidTransition(refusal % {"state": DeadlineState(fresh.state).label.lower()}, field="state")
    return fresh
