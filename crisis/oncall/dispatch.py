"""Where the deadline engine hands over: a breach becomes a page, or moves a page up a level.

On-call subscribes to the engine's breaches (``crisis/oncall/receivers.py`` registers with
``crisis/timers/consumers.py`` from ``OncallConfig.ready``); the engine's dispatch task calls it inside
the transaction that marks the Breach outbox rows dispatched, with those rows locked: a duplicated task
waits, then finds them dispatched. The engine imports nothing from here.

One alarm per thing a person must do: a breach pages nobody when there is nothing left to do (the
incident is over or a record of the past, the deadline was met late, the breach was retracted), except
for a post-mortem's action item (OUTLIVES_INCIDENT_KINDS), owed long after the crisis is over; and
the deadlines an incident had already missed when it was logged are told in one page, not one each.
"""


from crisis.models import OUTLIVES_INCIDENT_KINDS, OWNED_KINDS, Breach, DeadlineKind, Incident, PassedOccurrences
from crisis.system_lines import line, lines, msgid, span
from crisis.timers.wording import hhmm

from .models import Page, PageSource, PageState
from .services.opening import PageSpec, pages_open
from .services.pages import page_escalate


def breach_dedup_key(breach: Breach) -> str:
    return f"deadline:{breach.deadline_id}:v{breach.deadline_version}"


ARRIVAL_PREFIX = "arrival:"


def arrival_dedup_key(breach: Breach) -> str:
    """The same for every deadline one opening (or one re-dating) found already missed: they were
    breached in one call, at one ``breached_at``, whichever dispatch batch each breach lands in."""
    return f"{ARRIVAL_PREFIX}{breach.incident_id}:{breach.deadline.breached_at.timestamp():.6f}"


def surge_dedup_key(incident_id: int, occurrence: int) -> str:
    return f"surge:{incident_id}:{occurrence}"


def _needs_someone(breach: Breach) -> bool:
    incident, deadline = breach.incident, breach.deadline
    # An action item is owed after the crisis, whatever became of the incident: that is when it slips.
    is_owed_now = (incident.is_open and not incident.is_retrospective) or deadline.kind in OUTLIVES_INCIDENT_KINDS
    if not (is_owed_now and breach.retracted_at is None and deadline.met_at is None):
        return False
    if deadline.kind == DeadlineKind.SURGE:
        # A surge entered late can be overdue at once: the surge page, if nobody has answered it yet, is
        # already the alarm for it (and is escalating); a second page would only repeat it.
        return not Page.objects.filter(dedup_key=surge_dedup_key(incident.pk, deadline.occurrence),
                                       state=PageState.TRIGGERED).exists()
    return True


def breaches_alert(*, breaches: list[Breach]) -> dict[int, Page]:
    """Page for each breach, or move an escalating page up a level; returns the page per breach id.
    New pages are opened together (see services/opening.py)."""
    pages: dict[int, Page] = {}
    specs: list[tuple[list[int], PageSpec]] = []
    on_arrival: dict[int, list[Breach]] = {}
    for breach in breaches:
        deadline = breach.deadline
        if deadline.kind == DeadlineKind.ESCALATION:
            subject = deadline.subject or {}
            page = Page.objects.filter(pk=subject.get("page_id")).select_related("incident", "organization").first()
            if page is not None:
                page_escalate(page=page, from_step=int(subject.get("step", -1)))
                pages[breach.pk] = page
            continue
        if not _needs_someone(breach):
            continue  # history, not an alarm
        if deadline.kind in OWNED_KINDS:
            # Somebody's own promise or task: their page, down their chain, even when it was logged late.
            specs.append(([breach.pk], _owned_spec(breach)))
            continue
        if breach.is_on_arrival:
            on_arrival.setdefault(arrival_dedup_key(breach), []).append(breach)
            continue
        specs.append(([breach.pk], _breach_spec(breach)))
    specs += [([b.pk for b in group], _arrival_spec(group[0])) for group in on_arrival.values()]
    opened = pages_open(specs=[spec for _pks, spec in specs])
    for (pks, _spec), (page, _created) in zip(specs, opened, strict=True):
        pages.update(dict.fromkeys(pks, page))
    return pages


def _breach_spec(breach: Breach) -> PageSpec:
    deadline, incident = breach.deadline, breach.incident
    name = msgid(deadline.name)
    return PageSpec(
        organization=incident.organization, incident=incident,
        source=PageSource.SURGE if deadline.kind == DeadlineKind.SURGE else PageSource.BREACH,
        dedup_key=breach_dedup_key(breach), breach=breach, deadline=deadline,
        title=line("page.title.missed", name=name),
        body=line("page.body.missed", name=name, due=hhmm(deadline.due_at, incident)),
    )


def _owned_spec(breach: Breach) -> PageSpec:
    """An owned deadline pages its owner, then their deputies, then the commander (``subject["chain"]``)."""
    deadline, incident = breach.deadline, breach.incident
    chain = tuple((deadline.subject or {}).get("chain") or ({"role": "commander", "wait": 300},))
    return PageSpec(
        organization=incident.organization, incident=incident, source=PageSource.BREACH,
        dedup_key=breach_dedup_key(breach), breach=breach, deadline=deadline, chain=chain,
        title=line("page.title.missed", name=deadline.name),
        body=line("page.body.missed", name=deadline.name, due=hhmm(deadline.due_at, incident)),
    )


def _arrival_spec(breach: Breach) -> PageSpec:
    """One page for everything an incident had already missed when it was logged (or re-dated)."""
    incident: Incident = breach.incident
    group = list(Breach.objects.filter(incident=incident, is_on_arrival=True,
                                       deadline__breached_at=breach.deadline.breached_at)
                 .select_related("deadline").order_by("breached_at", "id"))
    items = [line("page.body.logged_late_item", name=msgid(b.deadline.name), due=hhmm(b.deadline.due_at, incident),
                  ago=span((b.recorded_at - b.deadline.due_at).total_seconds() / 60 if b.recorded_at else None))
             for b in group]
    passed = PassedOccurrences.objects.filter(incident=incident, is_before_logging=True).order_by("first_due_at")
    items += [line("page.body.logged_late_passed", name=msgid(p.name), n=p.count) for p in passed]
    return PageSpec(
        organization=incident.organization, incident=incident, source=PageSource.BREACH,
        dedup_key=arrival_dedup_key(breach), breach=group[0], deadline=group[0].deadline,
        title=line("page.title.logged_late", n=len(group), title=incident.title),
        body=lines(line("page.body.logged_late"), *items, sep="\n"),
    )


def oncall_housekeeping(*, now) -> None:
    """Run by the engine's housekeeping: warn before deadlines slip, re-send lost deliveries."""
    from .services.deliveries import deliveries_relay
    from .warnings import deadline_warnings_page

    deadline_warnings_page(now=now)
    deliveries_relay(now=now)
