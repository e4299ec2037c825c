"""What the golden clock says about each deadline: the verdict on when things happened, and the audit.

Verdicts come from crisis.playbooks.verdicts (one computation for the room, the API and the report);
this module only gathers what the room adds beside them: when the fact was entered, the false alarm
that a late entry withdrew (who withdrew it, and when), and what a late-logged incident owed before
anybody could act, in a fixed number of queries.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from crisis import clock
from crisis.durations import countdown_label, duration_label, elapsed_label
from crisis.models import (
    OWNED_KINDS,
    Breach,
    Deadline,
    DeadlineKind,
    DeadlineState,
    EventKind,
    Incident,
    Role,
    SatisfiedBy,
)
from crisis.playbooks.steps import step_for
from crisis.playbooks.verdicts import MET_LATE, PassedCount, Verdict, deadline_verdict, passed_counts
from crisis.selectors import golden_hours_deadlines, local_time
from crisis.timers.wording import entered_later

from .forms import DeadlineExtendForm

# What the fact that settled a deadline is called, by the kind of line it wrote.
FACT_BY_EVENT_KIND = {
    EventKind.STATEMENT: "published",
    EventKind.ACKNOWLEDGEMENT: "acknowledged",
    EventKind.ACTION: "done",
}
# Past this age an incident's times span several days, and "14:09" alone would hide which one.
DATED_AFTER = timedelta(hours=20)

FACT_BY_STEP = {
    SatisfiedBy.STATEMENT_PUBLISHED: "published",
    SatisfiedBy.ACKNOWLEDGED: "acknowledged",
    SatisfiedBy.CHECKPOINT_RECORDED: "measured",
}


def clock_time_format(*, incident: Incident, now: datetime) -> str:
    """Hours and minutes while the crisis is young; with the date once it spans days."""
    return "%m-%d %H:%M" if now - incident.first_public_signal_at > DATED_AFTER else "%H:%M"


@dataclass
class DeadlineRow:
    deadline: Deadline
    verdict: Verdict
    fact: str  # published | acknowledged | measured | done
    retraction: Breach | None
    incident: Incident
    time_format: str = "%H:%M"
    now: datetime | None = None

    def _at(self, moment: datetime) -> str:
        return local_time(moment, self.incident.time_zone).strftime(self.time_format)

    def _dated(self, moment: datetime | None) -> str:
        """The time alone when it falls today in the incident's zone; with its date otherwise, so that
        "due 10:21" can never be read as today when it is tomorrow."""
        if moment is None:
            return ""
        local = local_time(moment, self.incident.time_zone)
        today = local_time(self.now or clock.now(), self.incident.time_zone).date()
        return local.strftime("%H:%M" if local.date() == today and self.time_format == "%H:%M" else "%m-%d %H:%M")

    @property
    def due_label(self) -> str:
        return self._dated(self.deadline.due_at)

    @property
    def met_label(self) -> str:
        return self._dated(self.deadline.met_at)

    @property
    def breached_label(self) -> str:
        return self._dated(self.deadline.breached_at)

    @property
    def is_met_late(self) -> bool:
        return self.verdict.outcome == MET_LATE

    @property
    def late_label(self) -> str:
        return duration_label(self.verdict.late_minutes)

    @property
    def entered_later(self) -> str:
        d = self.deadline
        if d.met_at is None or d.met_recorded_at is None:
            return ""
        return entered_later(d.met_at, d.met_recorded_at)

    @property
    def fact_text(self) -> str:
        """"published at 01:30", in the incident's zone."""
        at = self._at(self.deadline.met_at)
        return {
            "published": _("published at %(at)s"),
            "acknowledged": _("acknowledged at %(at)s"),
            "measured": _("measured at %(at)s"),
        }.get(self.fact, _("done at %(at)s")) % {"at": at}

    @property
    def retraction_text(self) -> str:
        """"flagged at 01:31, withdrawn at 02:10 by Wang: published at 01:30"."""
        breach = self.retraction
        if breach is None:
            return ""
        values = {"flagged": self._at(self.deadline.breached_at or breach.recorded_at),
                  "withdrawn": self._at(breach.retracted_at), "fact": self.fact_text}
        person = breach.retracted_by
        if person is None:
            return _("flagged at %(flagged)s, withdrawn at %(withdrawn)s: %(fact)s") % values
        values["who"] = person.get_full_name() or person.get_username()
        return _("flagged at %(flagged)s, withdrawn at %(withdrawn)s by %(who)s: %(fact)s") % values

    @cached_property
    def owned_place(self) -> tuple[str, str] | None:
        """Where an owned deadline is acted on (its label, its address): its record settles it, not the clock."""
        kind = self.deadline.kind
        if kind not in OWNED_KINDS:  # most rows: playbook steps the clock itself acts on
            return None
        room = reverse("crisis:incident-room", args=[self.incident.pk])
        record_id = (self.deadline.subject or {}).get("id")
        if kind == DeadlineKind.COMMITMENT:
            return _("Act on the promise"), f"{room}#room-commitments"
        if kind == DeadlineKind.APPROVAL:
            return _("Go to the statement under review"), f"{room}#room-statements"
        if kind == DeadlineKind.INQUIRY and record_id is not None:
            return _("Answer the inquiry"), reverse("crisis_media:inquiry-detail", args=[record_id])
        if kind == DeadlineKind.ACTION_ITEM:
            return _("Change the action item"), reverse("reports:report", args=[self.incident.pk]) + "#edit"
        return None

    @property
    def can_tick_off(self) -> bool:
        """Pending, or flagged and not done yet: the service settles either with the time it was done."""
        d = self.deadline
        return d.state == DeadlineState.PENDING or (d.state == DeadlineState.BREACHED and d.met_at is None)


def _fact(incident: Incident, deadline: Deadline) -> str:
    kind = getattr(deadline, "fact_kind", None)
    if kind in FACT_BY_EVENT_KIND:
        return FACT_BY_EVENT_KIND[kind]
    step = step_for(incident, deadline)
    return FACT_BY_STEP.get(step["satisfied_by"], "done") if step else "done"


def _retractions(deadlines: list[Deadline]) -> dict[int, Breach]:
    """The withdrawn alarm of each deadline that had one (one query, none when no deadline could have)."""
    ids = [d.pk for d in deadlines if d.state == DeadlineState.MET and d.breached_at is not None]
    if not ids:
        return {}
    breaches = (Breach.objects.filter(deadline_id__in=ids, retracted_at__isnull=False)
                .select_related("retracted_by").order_by("retracted_at", "id"))
    return {b.deadline_id: b for b in breaches}  # the latest withdrawal wins


def deadline_rows(*, incident: Incident, time_format: str = "%H:%M", now: datetime | None = None) -> list[DeadlineRow]:
    # Escalation deadlines belong to pages (on-call), not to the public-facing golden hours.
    # An owned deadline (an inquiry, a promise) names its owner, not the playbook role: read with the row.
    deadlines = list(golden_hours_deadlines(incident=incident).select_related("owner")
                     .annotate(fact_kind=F("satisfied_by_event__kind")))
    retractions = _retractions(deadlines)
    return [DeadlineRow(deadline=d, verdict=deadline_verdict(d, retracted=d.pk in retractions),
                        fact=_fact(incident, d), retraction=retractions.get(d.pk), incident=incident,
                        time_format=time_format, now=now)
            for d in deadlines]


@dataclass
class PassedRow:
    count: PassedCount
    incident: Incident
    time_format: str = "%H:%M"

    @property
    def record(self):
        return self.count.record

    @property
    def name(self) -> str:
        return _(self.record.name)

    @property
    def first(self) -> str:
        return local_time(self.record.first_due_at, self.incident.time_zone).strftime(self.time_format)

    @property
    def last(self) -> str:
        return local_time(self.record.last_due_at, self.incident.time_zone).strftime(self.time_format)


def passed_rows(*, incident: Incident, time_format: str = "%H:%M") -> list[PassedRow]:
    """Occurrences of repeating steps that went by unrecorded, one row per stretch, with how many were made."""
    return [PassedRow(count=count, incident=incident, time_format=time_format)
            for count in passed_counts(incident=incident)]


@dataclass
class NextDeadline:
    """What the sticky bar shows: the deadline due soonest that is still open, and who owns it."""

    deadline: Deadline
    owner: str  # the person in the responsible role on this incident, or the role's name

    @property
    def due_at(self) -> datetime:
        return self.deadline.due_at


def next_deadline(*, incident: Incident, deadlines: list[Deadline]) -> NextDeadline | None:
    pending = [d for d in deadlines if d.state == DeadlineState.PENDING]
    if not pending:
        return None
    deadline = min(pending, key=lambda d: (d.due_at, d.pk))
    # Only the commander is named on the incident; other roles are owned by whoever holds them.
    person = incident.commander if deadline.responsible_role == Role.COMMANDER else None
    owner = deadline.get_responsible_role_display()
    if person is not None:
        owner = f"{person.get_full_name() or person.get_username()} ({owner})"
    return NextDeadline(deadline=deadline, owner=owner)


GOLDEN_WINDOW_SECONDS = 4 * 3600


def clock_context(*, incident: Incident, abilities) -> dict:
    now = clock.now()
    time_format = clock_time_format(incident=incident, now=now)
    rows = deadline_rows(incident=incident, time_format=time_format, now=now)
    deadlines = [row.deadline for row in rows]
    elapsed = (now - incident.first_public_signal_at).total_seconds()
    upcoming = next_deadline(incident=incident, deadlines=deadlines)
    return {
        "server_now": now,
        "elapsed_seconds": int(elapsed),
        "elapsed_label": elapsed_label(elapsed),
        "next_deadline": upcoming,
        "next_deadline_label": countdown_label((upcoming.due_at - now).total_seconds()) if upcoming else "",
        "next_deadline_is_overdue": bool(upcoming and upcoming.due_at < now),
        "golden_share": min(max(elapsed / GOLDEN_WINDOW_SECONDS, 0), 1),
        "deadline_rows": rows,
        "passed_rows": passed_rows(incident=incident, time_format=time_format),
        "clock_time_format": time_format,
        "pending_count": sum(d.state == DeadlineState.PENDING for d in deadlines),
        "breached_count": sum(d.state == DeadlineState.BREACHED for d in deadlines),
        "met_count": sum(d.state == DeadlineState.MET for d in deadlines),
        "extend_form": DeadlineExtendForm(),
        "deadline_abilities": abilities,
    }
