from datetime import datetime

from django.utils.translation import gettext as _

from crisis.durations import duration_label
from crisis.models import Deadline, Incident
from crisis.selectors import local_time


def hhmm(moment: datetime, incident: Incident) -> str:
    return local_time(moment, incident.time_zone).strftime("%H:%M")


def deadline_breach_text(deadline: Deadline, incident: Incident, *, overdue_on_arrival: bool) -> str:
    values = {"name": _(deadline.name), "due": hhmm(deadline.due_at, incident)}
    if deadline.kind == "escalation":
        return _("Nobody acknowledged by %(due)s: %(name)s.") % values
    if deadline.step_key == "sentiment-cadence":
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
