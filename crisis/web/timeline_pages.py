"""The room's timeline a page at a time: pinned lines, then the newest 50, then more on demand.

An incident logged late, or one that ran for days, holds thousands of lines; the room used to
render every one (3,000 lines: 5 MB and 1.8 s). Now it reads the pinned lines and one page of
the rest, newest first, in a fixed number of queries whatever the timeline's length. Older
lines come a page at a time ("Load more"); the live refresh keeps showing everything down to the
oldest line the person has loaded, so a back-dated entry appears in its place in time.

Runs of system lines (deadline and paging notices) fold into one line the person can open.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from django.db.models import Q, QuerySet

from crisis.models import EventKind, Incident, TimelineEvent
from crisis.timers.wording import entered_later

PAGE_SIZE = 50
# A live refresh re-renders what is shown; this bounds what one crafted address can ask for.
MAX_SHOWN = 2000
# Lines written by the engine and paging, not by people: folded when several come in a row.
SYSTEM_KINDS = frozenset({EventKind.DEADLINE, EventKind.PAGE})
FOLD_AT = 3
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass
class TimelineEntry:
    """An event as it stands now, with the versions it replaced struck through beside it."""

    event: TimelineEvent
    superseded: list[TimelineEvent] = field(default_factory=list)
    is_run = False

    @property
    def original(self) -> TimelineEvent:
        return self.superseded[0] if self.superseded else self.event

    @property
    def is_system(self) -> bool:
        return self.event.kind in SYSTEM_KINDS

    @cached_property
    def entered_later(self) -> str:
        """" (entered 35 min later)" for a line logged well after it happened. Deadline lines say it
        in their own words (or were written by the engine when they fell due)."""
        original = self.original
        if original.kind == EventKind.DEADLINE:
            return ""
        return entered_later(original.occurred_at, original.recorded_at)


@dataclass
class SystemRun:
    """Consecutive system lines shown as one folded line."""

    entries: list[TimelineEntry]
    is_run = True

    @property
    def kinds(self) -> list[str]:
        return sorted({e.event.get_kind_display() for e in self.entries})


@dataclass
class TimelineRow:
    entry: TimelineEntry
    opens_run: SystemRun | None = None
    closes_run: bool = False


@dataclass
class TimelinePage:
    pinned: list[TimelineEntry]
    entries: list[TimelineEntry]  # newest first
    has_more: bool
    # The cursor the live refresh keeps (set once the person loaded more), and the one "Load more" asks below.
    until: str = ""
    oldest: str = ""

    @property
    def rows(self) -> list["TimelineRow"]:
        """What the template lists, in order: pinned entries, then the rest with system runs folded.

        Flat, each row saying whether a folded run opens before it or closes after it, so the template
        writes an entry's markup once, in one loop (an include per entry costs more than the entry)."""
        rows = [TimelineRow(entry) for entry in self.pinned]
        for item in fold_system_runs(self.entries):
            if not item.is_run:
                rows.append(TimelineRow(item))
                continue
            rows += [TimelineRow(entry, opens_run=item if n == 0 else None, closes_run=n == len(item.entries) - 1)
                     for n, entry in enumerate(item.entries)]
        return rows

    @property
    def is_empty(self) -> bool:
        return not self.pinned and not self.entries


def cursor_of(event: TimelineEvent) -> str:
    """Where an entry sits in the timeline's order: its time (microseconds since the epoch) and id."""
    return f"{(event.occurred_at - EPOCH) // MICROSECOND}-{event.pk}"


def cursor_parse(text: str | None) -> tuple[datetime, int] | None:
    """None for anything that is not a cursor we wrote: the page then starts from the newest line."""
    try:
        micros, pk = (int(part) for part in (text or "").split("-"))
        return EPOCH + micros * MICROSECOND, pk
    except (ValueError, OverflowError, OSError):
        return None


def _at_or_after(cursor: tuple[datetime, int]) -> Q:
    at, pk = cursor
    return Q(occurred_at__gt=at) | Q(occurred_at=at, pk__gte=pk)


def fold_system_runs(entries: list[TimelineEntry]) -> list:
    items: list = []
    run: list[TimelineEntry] = []

    def flush():
        if len(run) >= FOLD_AT:
            items.append(SystemRun(entries=list(run)))
        else:
            items.extend(run)
        run.clear()

    for entry in entries:
        if entry.is_system:
            run.append(entry)
            continue
        flush()
        items.append(entry)
    flush()
    return items


def _events(incident: Incident, kind: str | None) -> QuerySet[TimelineEvent]:
    events = TimelineEvent.objects.filter(incident=incident).select_related("actor")
    return events.filter(kind=kind) if kind else events


def timeline_page(*, incident: Incident, kind: str | None = None, until: str | None = None,
                  more: bool = False) -> TimelinePage:
    """Pinned entries and the newest page (``until``: everything down to that cursor; ``more``: a page below it).

    Four queries at most, whatever the number of lines: corrections and pinned lines, the originals of
    pinned corrections (rarely), the page, and what lies below it.
    """
    # Corrections and pinned lines are few whatever the timeline's length: one query for both.
    special = list(_events(incident, kind).filter(Q(corrects__isnull=False) | Q(is_pinned=True)))
    corrections = [e for e in special if e.corrects_id]
    correction_of = {c.corrects_id: c for c in corrections}
    by_pk = {c.pk: c for c in corrections}

    def root_id(event: TimelineEvent) -> int:
        while event.corrects_id in by_pk:
            event = by_pk[event.corrects_id]
        return event.corrects_id or event.pk

    # An entry is pinned when its newest version is (a correction inherits the pin of what it corrects).
    pinned_latest = [e for e in special if e.is_pinned and e.pk not in correction_of]
    pinned_roots = {root_id(e) for e in pinned_latest}
    originals = _events(incident, kind).filter(corrects__isnull=True)
    roots = {e.pk: e for e in pinned_latest if not e.corrects_id}
    missing = pinned_roots - set(roots)
    if missing:
        roots.update((e.pk, e) for e in originals.filter(pk__in=missing))

    ordered = originals.exclude(pk__in=pinned_roots).order_by("-occurred_at", "-pk")
    position = cursor_parse(until)
    if position is None:
        rows = list(ordered[:PAGE_SIZE + 1])
        page, has_more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    else:
        page = list(ordered.filter(_at_or_after(position))[:MAX_SHOWN])
        below = list(ordered.exclude(_at_or_after(position))[:(PAGE_SIZE if more else 0) + 1])
        if more:
            page += below[:PAGE_SIZE]
            has_more = len(below) > PAGE_SIZE
        else:
            has_more = bool(below)

    def entry(original: TimelineEvent) -> TimelineEntry:
        chain = [original]
        while chain[-1].pk in correction_of:
            chain.append(correction_of[chain[-1].pk])
        return TimelineEntry(event=chain[-1], superseded=chain[:-1])

    pinned = sorted((entry(roots[pk]) for pk in pinned_roots if pk in roots),
                    key=lambda e: (e.original.occurred_at, e.original.pk), reverse=True)
    oldest = cursor_of(page[-1]) if page else ""
    keeps_more = position is not None
    return TimelinePage(pinned=pinned, entries=[entry(e) for e in page], has_more=has_more,
                        until=oldest if keeps_more else "", oldest=oldest)
