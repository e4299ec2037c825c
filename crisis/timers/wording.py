from datetime import datetime

from django.utils.translation import gettext as _

from crisis.durations import duration_label
from crisis.models import Deadline, Incident
from crisis.selectors import local_time
from crisis.system_lines import Message, line, msgid, span

# A missed occurrence of this step means the team is looking at stale sentiment, and says so.
CADENCE_STEP = "sentiment-cadence"


def hhmm(moment: datetime, incident: Incident) -> str:
    return local_time(moment, incident.time_zone).strftime("%H:%M")


def deadline_breach_line(deadline: Deadline, incident: Incident, *, overdue_on_arrival: bool) -> Message:
    return breach_line(kind=deadline.kind, step_key=deadline.step_key, name=deadline.name, due_at=deadline.due_at,
                       time_zone=incident.time_zone, overdue_on_arrival=overdue_on_arrival,
                       name_line=(deadline.subject or {}).get("name_line"))


def breach_line(*, kind: str, step_key: str, name: str, due_at: datetime, time_zone: str,
                overdue_on_arrival: bool, name_line: Message | None = None) -> Message:
    """The timeline line for a breach, from plain values (a burst builds thousands without model objects).
    ``name_line``: a deadline whose name is made of parts (an escalation timer names its page) keeps it
    as a system line in its subject; other names are playbook msgids. timers/burst.py writes the same in SQL."""
    values = {"name": name_line or msgid(name), "due": local_time(due_at, time_zone).strftime("%H:%M")}
    if kind == "escalation":
        return line("deadline.unacknowledged", **values)
    if step_key == CADENCE_STEP:
        return line("deadline.stale", **values)
    if overdue_on_arrival:
        return line("deadline.missed_on_arrival", **values)
    return line("deadline.missed", **values)



# Entries made within this long of what they record count as live; later ones say how much later.
LIVE_ENTRY_MINUTES = 1


def entered_later(happened_at: datetime, recorded_at: datetime) -> str:
    """" (entered 40 min later)" when a fact was recorded well after it happened, else nothing."""
    minutes = (recorded_at - happened_at).total_seconds() / 60
    if minutes < LIVE_ENTRY_MINUTES:
        return ""
    return _(" (entered %(span)s later)") % {"span": duration_label(minutes)}


def entered_later_line(happened_at: datetime, recorded_at: datetime) -> Message | str:
    """The same as a part of a system line: rendered in the reader's language when read."""
    minutes = (recorded_at - happened_at).total_seconds() / 60
    if minutes < LIVE_ENTRY_MINUTES:
        return ""
    return line("entered_later", span=span(minutes))
