"""Where the deadline engine hands over: a breach becomes a page, or moves a page up a level.

Called by ``crisis.timers.tasks.breach_dispatch`` inside the transaction that marks the Breach
outbox row dispatched, with that row locked: a duplicated task waits, then finds it dispatched.
"""

from django.utils.translation import gettext as _

from crisis.models import Breach, DeadlineKind
from crisis.timers.wording import hhmm

from .models import Page, PageSource
from .services.pages import page_escalate, page_open


def breach_dedup_key(breach: Breach) -> str:
    return f"deadline:{breach.deadline_id}:v{breach.deadline_version}"


def breach_alert(*, breach: Breach) -> Page | None:
    deadline = breach.deadline
    if deadline.kind == DeadlineKind.ESCALATION:
        subject = deadline.subject or {}
        page = Page.objects.filter(pk=subject.get("page_id")).select_related("incident", "organization").first()
        if page is not None:
            page_escalate(page=page, from_step=int(subject.get("step", -1)))
        return page
    incident = breach.incident
    if not incident.is_open:
        return None  # a breach found after resolution (a late sweep) is history, not an alarm
    name = _(deadline.name)
    page, _created = page_open(
        organization=incident.organization, incident=incident,
        source=PageSource.SURGE if deadline.kind == DeadlineKind.SURGE else PageSource.BREACH,
        dedup_key=breach_dedup_key(breach), breach=breach, deadline=deadline,
        title=_("Missed: %(name)s") % {"name": name},
        body=_("%(name)s was due at %(due)s and has not been done.") % {"name": name,
                                                                      "due": hhmm(deadline.due_at, incident)},
    )
    return page


def oncall_housekeeping(*, now) -> None:
    """Run by the engine's housekeeping: warn before deadlines slip, re-send lost deliveries."""
    from .services.deliveries import deliveries_relay
    from .warnings import deadline_warnings_page

    deadline_warnings_page(now=now)
    deliveries_relay(now=now)
