from datetime import datetime

from django.utils.translation import gettext as _

from crisis.durations import duration_label
from crisis.models import Deadline, Incident
from crisis.selectors import local_time

# A missed occurrence of this step means the team is looking at stale sentiment, and says so.
CADENCE_STEP = "sentiment-cadence"


def hhmm(moment: datetime, incident: Incident) -> str:
    return local_time(moment, incident.time_zone).strftime("%H:%M")


def deadline_breach_text(deadline: Deadline, incident: Incident, *, overdue_on_arrival: bool) -> str:
    return breach_text(kind=deadline.kind, step_key=deadline.step_key, name=deadline.name, due_at=deadline.due_at,
                       time_zone=incident.time_zone, overdue_on_arrival=overdue_on_arrival)


def breach_text(*, kind: str, step_key: str, name: str, due_at: datetime, time_zone: str,
                overdue_on_arrival: bool) -> str:
    """The timeline line for a breach, from plain values (a burst builds thousands without model objects)."""
    values = {"name": _(name), "due": local_time(due_at, time_zone).strftime("%H:%M")}
    if kind == "escalation":
        return _("Nobody acknowledged by %(due)s: %(name)s.") % values
    if step_key == CADENCE_STEP:
        return _("Sentiment is stale: %(name)s was due at %(due)s.") % values
    if overdue_on_arrival:
        return _("Deadline already missed when it was set: %(name)s was due at %(due)s.") % values
    return _("Deadline missed: %(name)s was due at %(due)s.") % values


# Entries made within this long of what they record count as live; later ones say how much later.
LIVE_ENTRY_MINUTES = 1


def entered_later(happened_at: datetime, recorded_at: datetime) -> str:
    """" (entered 40 min later)" when a fact was recorded well after it happened, else nothing."""
    minutes = (recorded_at - happened_at).total_seconds() / 60
    if minutes < LIVE_ENTRY_MINUTES:
        return ""
    return _(" (entered %(span)s later)") % {"span": duration_label(minutes)}
