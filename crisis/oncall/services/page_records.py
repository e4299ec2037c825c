"""What a page writes as it moves, shared by the one-page and the many-pages paths: its timeline
events, and its escalation timers (engine deadlines of kind ``escalation``)."""

from datetime import datetime, timedelta

from django.db.models import F

from crisis import clock
from crisis.models import Deadline, DeadlineKind, DeadlineState, EventKind, Role, TimelineEvent
from crisis.models.deadline import deadline_outlives_incident
from crisis.system_lines import Message, line, line_english
from crisis.timers.scheduling import deadlines_schedule

from ..models import Page


def escalation_step_key(page: Page) -> str:
    return f"page-{page.pk}"


def page_outlives_incident(page: Page) -> bool:
    """A page about an action item: still escalated, and left open, once its incident is over."""
    return page.deadline_id is not None and deadline_outlives_incident(page.deadline)


def page_event_row(page: Page, said: Message | str, *, actor=None, **metadata) -> TimelineEvent | None:
    """An unsaved timeline event about the page (none for a page without an incident, such as a test).
    ``metadata`` may override the page's current ``step``, for events of steps the page walked through."""
    if page.incident_id is None:
        return None
    now = clock.now()
    return TimelineEvent(
        incident_id=page.incident_id, kind=EventKind.PAGE,
        body=said if isinstance(said, str) else line_english(said), message=None if isinstance(said, str) else said,
        occurred_at=now, recorded_at=now,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        metadata={"page_id": page.pk, "state": page.state, "step": page.step, **metadata},
    )


def page_event(page: Page, said: Message | str, *, actor=None, **metadata) -> None:
    row = page_event_row(page, said, actor=actor, **metadata)
    if row is not None:
        row.save()


def escalation_deadlines_create(*, items: list[tuple[Page, int, timedelta]], now: datetime) -> list[Deadline]:
    """For each (page, step, wait): the engine deadline that moves the page past ``step`` if nobody
    acknowledges in time. Two paths escalating to the same step keep one timer (unique per occurrence)."""
    rows = [
        # The name is English like every stored name; its parts stay in the subject as a system line, so the
        # breach line that names this timer reads in the reader's language (timers/wording.breach_line).
        Deadline(incident_id=page.incident_id, kind=DeadlineKind.ESCALATION, step_key=escalation_step_key(page),
                 occurrence=step, name=line_english(name)[:200], responsible_role=Role.RESPONDER, due_at=now + wait,
                 subject={"page_id": page.pk, "step": step, "name_line": name,
                          **({"outlives_incident": True} if page_outlives_incident(page) else {})})
        for page, step, wait in items if page.incident_id is not None
        for name in [line("deadline.escalate_page", title=page.title_line)]
    ]
    if not rows:
        return []
    Deadline.objects.bulk_create(rows, ignore_conflicts=True)
    wanted = {(row.step_key, row.occurrence) for row in rows}
    created = [d for d in Deadline.objects.filter(
        incident_id__in={row.incident_id for row in rows}, kind=DeadlineKind.ESCALATION,
        step_key__in={key for key, _occurrence in wanted}, state=DeadlineState.PENDING,
    ) if (d.step_key, d.occurrence) in wanted]
    deadlines_schedule(deadlines=created)
    return created


def escalation_deadlines_cancel(page: Page, *, now: datetime, up_to_step: int | None = None) -> int:
    rows = Deadline.objects.filter(kind=DeadlineKind.ESCALATION, step_key=escalation_step_key(page),
                                   state=DeadlineState.PENDING)
    if page.incident_id is not None:
        rows = rows.filter(incident_id=page.incident_id)  # uses deadline_incident_state
    if up_to_step is not None:
        rows = rows.filter(occurrence__lte=up_to_step)
    return rows.update(state=DeadlineState.CANCELLED, cancelled_at=now, version=F("version") + 1)
