"""Where the deadline engine hands over: a breach becomes a page, or moves a page up a level.

Called by ``crisis.timers.tasks.breaches_dispatch`` inside the transaction that marks the Breach
outbox rows dispatched, with those rows locked: a duplicated task waits, then finds them dispatched.
"""

from django.utils.translation import gettext as _

from crisis.models import Breach, DeadlineKind
from crisis.timers.wording import hhmm

from .models import Page, PageSource
from .services.opening import PageSpec, pages_open
from .services.pages import page_escalate


def breach_dedup_key(breach: Breach) -> str:
    return f"deadline:{breach.deadline_id}:v{breach.deadline_version}"


def breaches_alert(*, breaches: list[Breach]) -> dict[int, Page]:
    """Page for each breach, or move an escalating page up a level; returns the page per breach id.
    New pages are opened together (see services/opening.py); a breach of a resolved incident pages nobody."""
    pages: dict[int, Page] = {}
    specs: list[tuple[int, PageSpec]] = []
    for breach in breaches:
        deadline = breach.deadline
        if deadline.kind == DeadlineKind.ESCALATION:
            subject = deadline.subject or {}
            page = Page.objects.filter(pk=subject.get("page_id")).select_related("incident", "organization").first()
            if page is not None:
                page_escalate(page=page, from_step=int(subject.get("step", -1)))
                pages[breach.pk] = page
            continue
        incident = breach.incident
        if not incident.is_open:
            continue  # a breach found after resolution (a late sweep) is history, not an alarm
        name = _(deadline.name)
        specs.append((breach.pk, PageSpec(
            organization=incident.organization, incident=incident,
            source=PageSource.SURGE if deadline.kind == DeadlineKind.SURGE else PageSource.BREACH,
            dedup_key=breach_dedup_key(breach), breach=breach, deadline=deadline,
            title=_("Missed: %(name)s") % {"name": name},
            body=_("%(name)s was due at %(due)s and has not been done.") % {"name": name,
                                                                          "due": hhmm(deadline.due_at, incident)},
        )))
    opened = pages_open(specs=[spec for _pk, spec in specs])
    pages.update({pk: page for (pk, _spec), (page, _created) in zip(specs, opened, strict=True)})
    return pages


def oncall_housekeeping(*, now) -> None:
    """Run by the engine's housekeeping: warn before deadlines slip, re-send lost deliveries."""
    from .services.deliveries import deliveries_relay
    from .warnings import deadline_warnings_page

    deadline_warnings_page(now=now)
    deliveries_relay(now=now)
