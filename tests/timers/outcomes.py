"""What the fault suite asserts, read from the database: the truth, whichever process wrote it."""

from collections import Counter
from datetime import datetime

from django.db import transaction

from crisis.models import Breach, Deadline, DeadlineState, EventKind, Incident, TimelineEvent
from crisis.timers.scheduling import deadlines_schedule, sweeper_wake


def deadlines_seed(incident: Incident, due_ats: list[datetime], *, prefix: str = "fault",
                   send_timers: bool = True) -> list[Deadline]:
    """Create pending deadlines as the playbook does: one transaction, then timers and a wake-up at commit."""
    with transaction.atomic():
        start = Deadline.objects.filter(incident=incident).count()
        deadlines = Deadline.objects.bulk_create(
            Deadline(incident=incident, step_key=f"{prefix}-{start + i}", name=f"Fault step {start + i}", due_at=due)
            for i, due in enumerate(due_ats)
        )
        if send_timers:
            deadlines_schedule(deadlines=deadlines)
        else:
            sweeper_wake()
    return deadlines


def ids_of(deadlines) -> list[int]:
    return [d.pk for d in deadlines]


def breaches_per_deadline(ids: list[int]) -> Counter:
    return Counter(Breach.objects.filter(deadline_id__in=ids).values_list("deadline_id", flat=True))


def breach_events_per_deadline(ids: list[int]) -> Counter:
    # Not protected by any unique constraint, so a double breach would show here even if the outbox resisted it.
    rows = TimelineEvent.objects.filter(kind=EventKind.DEADLINE, metadata__state=DeadlineState.BREACHED,
                                        metadata__deadline_id__in=ids).values_list("metadata__deadline_id", flat=True)
    return Counter(rows)


def count_breached(ids: list[int]) -> int:
    return Deadline.objects.filter(pk__in=ids, state=DeadlineState.BREACHED).count()


def all_breached(ids: list[int]) -> bool:
    return count_breached(ids) == len(ids)


def assert_breached_exactly_once(ids: list[int]) -> None:
    """No missed breach and no duplicate: breached state, one outbox row, one timeline event, one version bump."""
    states = dict(Deadline.objects.filter(pk__in=ids).values_list("pk", "state"))
    missed = [pk for pk in ids if states.get(pk) != DeadlineState.BREACHED]
    assert not missed, f"{len(missed)} deadline(s) not breached, e.g. {missed[:5]}"
    outbox = breaches_per_deadline(ids)
    events = breach_events_per_deadline(ids)
    wrong_outbox = {pk: outbox[pk] for pk in ids if outbox[pk] != 1}
    wrong_events = {pk: events[pk] for pk in ids if events[pk] != 1}
    assert not wrong_outbox, f"Breach rows per deadline != 1: {dict(list(wrong_outbox.items())[:5])}"
    assert not wrong_events, f"breach events per deadline != 1: {dict(list(wrong_events.items())[:5])}"


def assert_never_breached(ids: list[int]) -> None:
    assert not Deadline.objects.filter(pk__in=ids, state=DeadlineState.BREACHED).exists()
    assert not Breach.objects.filter(deadline_id__in=ids).exists()
    assert not breach_events_per_deadline(ids)


def all_dispatched(ids: list[int]) -> bool:
    return not Breach.objects.filter(deadline_id__in=ids, dispatched_at__isnull=True).exists()
