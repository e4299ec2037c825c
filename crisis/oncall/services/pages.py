"""Pages: open once per cause, walk the escalation levels, stop at acknowledgement.

Escalation steps are engine deadlines (kind ``escalation``): the database holds them, a Celery
ETA timer fires them, the sweeper catches them if the timer is lost, and their breach comes back
here through ``breach_dispatch``. Each move is a compare-and-set on the page's state and step, so
an acknowledgement racing an escalation either lands first (the escalation finds the page no
longer triggered and pages nobody) or second (the escalation had already paged the next level).
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import OUTLIVES_INCIDENT_KINDS, Deadline, Incident, Organization, Role, role_at_least
from crisis.services.access import membership_require, membership_role
from crisis.services.audit import audit_record
from crisis.services.errors import InvalidTransition, PermissionDenied
from crisis.system_lines import Message, line, line_english

from ..models import Delivery, DeliveryStatus, Page, PageSource, PageState
from ..selectors import level_users, page_levels, page_step_count
from .deliveries import deliveries_create
from .opening import PageSpec, incidents_lock_open, pages_open
from .page_records import (
    escalation_deadlines_cancel,
    escalation_deadlines_create,
    page_event,
    page_outlives_incident,
)

logger = logging.getLogger(__name__)


def page_open(*, organization: Organization, incident: Incident | None, source: str, dedup_key: str,
              title: Message | str, body: Message | str = "", severity: int | None = None, breach=None,
              deadline: Deadline | None = None, target_user=None, actor=None) -> tuple[Page | None, bool]:
    """Open a page once per ``dedup_key`` and page its first level; returns (page, created), or (None, False)
    if the incident is no longer open."""
    return pages_open(specs=[PageSpec(organization=organization, incident=incident, source=source, dedup_key=dedup_key,
                                      title=title, body=body, severity=severity, breach=breach, deadline=deadline,
                                      target_user=target_user, actor=actor)])[0]


@transaction.atomic
def page_escalate(*, page: Page, from_step: int, now: datetime | None = None) -> bool:
    """Move the page from ``from_step`` to the next level that has someone to page, and page them.

    Compare-and-set on (state = triggered, step = from_step): a page acknowledged or already moved
    on by another path (a delivery that failed for good, a duplicated breach) is left alone. So is a
    page whose incident is over: its incident is locked FOR SHARE first (before the page row, the same
    order as opening), so a resolve either committed before and we page nobody, or waits for us and then
    resolves the page, cancelling the next level's timer.
    """
    if (page.incident_id is not None and not incidents_lock_open({page.incident_id})
            and not page_outlives_incident(page)):
        logger.info("page %s not escalated: incident %s is no longer open", page.pk, page.incident_id,
                    extra={"incident_id": page.incident_id, "deadline_id": page.deadline_id})
        return False
    now = now or clock.now()
    levels = page_levels(page=page)
    total = page_step_count(page=page, levels=levels)
    step = from_step
    while step + 1 < total:
        updated = Page.objects.filter(pk=page.pk, state=PageState.TRIGGERED, step=step).update(
            step=step + 1, version=F("version") + 1)
        if updated != 1:
            return step != from_step
        step += 1
        page.step, page.version = step, page.version + 1
        escalation_deadlines_cancel(page, now=now, up_to_step=step - 1)
        level = levels[step % len(levels)]
        users = level_users(level=level, incident=page.incident, moment=now)
        if users:
            deliveries_create(page=page, users=users, step=step, now=now)
            page_event(page, line("page.paged", who=", ".join(u.get_full_name() or u.get_username() for u in users),
                                  n=step % len(levels) + 1), users=[u.pk for u in users])
            audit_record(organization=page.organization, actor=None, action="page.escalate", obj=page,
                         changes={"step": step, "users": [u.pk for u in users]})
            if step + 1 < total:
                escalation_deadlines_create(items=[(page, step, timedelta(seconds=level.wait_seconds))], now=now)
            return True
        page_event(page, line("page.level_empty", n=step % len(levels) + 1))
    if from_step == step:
        return False
    page_event(page, line("page.levels_exhausted"))
    return True


def _stop_deliveries(page: Page) -> int:
    # In-flight attempts ("sending") finish; queued and retrying ones are not sent any more.
    return Delivery.objects.filter(page=page, status__in=[DeliveryStatus.QUEUED, DeliveryStatus.RETRYING]).update(
        status=DeliveryStatus.CANCELLED, next_attempt_at=None)


def _was_paged(page: Page, actor) -> bool:
    return page.target_user_id == actor.pk or Delivery.objects.filter(page=page, user=actor).exists()


def _require_may_acknowledge(page: Page, actor) -> None:
    """Acknowledging stops the escalation for everyone, so a viewer's token must not do it; but the person
    the page was sent to may be a viewer (a legal approver on a rota), and they must be able to answer it."""
    if actor is None:
        return
    membership_require(user=actor, organization=page.organization, role=Role.VIEWER)
    role = membership_role(user=actor, organization=page.organization)
    if role_at_least(role, Role.RESPONDER) or _was_paged(page, actor):
        return
    raise PermissionDenied(_("Only the people this page was sent to, and responders and up, may acknowledge it."))


@transaction.atomic
def page_acknowledge(*, page: Page, actor, via: str = "web") -> Page:
    """Stop the escalation at once: compare-and-set triggered -> acknowledged, then cancel its timers."""
    _require_may_acknowledge(page, actor)
    now = clock.now()
    updated = Page.objects.filter(pk=page.pk, state=PageState.TRIGGERED).update(
        state=PageState.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor, version=F("version") + 1)
    if updated != 1:
        fresh = Page.objects.get(pk=page.pk)
        raise InvalidTransition(_("This page is already %(state)s.") % {"state": fresh.get_state_display().lower()},
                                field="state")
    page.state, page.acknowledged_at, page.acknowledged_by = PageState.ACKNOWLEDGED, now, actor
    page.version += 1
    escalation_deadlines_cancel(page, now=now)
    _stop_deliveries(page)
    name = actor.get_full_name() or actor.get_username()
    page_event(page, line("page.acknowledged", who=name, title=page.title_line),
                actor=actor, via=via)
    audit_record(organization=page.organization, actor=actor, action="page.acknowledge", obj=page,
                 changes={"via": via})
    return page


@transaction.atomic
def page_resolve(*, page: Page, actor, note: Message | str = "") -> Page:
    # Being paged is no reason to close the matter for everyone: resolving is a responder's call.
    membership_require(user=actor, organization=page.organization, role=Role.RESPONDER)
    now = clock.now()
    updated = Page.objects.filter(pk=page.pk, state__in=[PageState.TRIGGERED, PageState.ACKNOWLEDGED]).update(
        state=PageState.RESOLVED, resolved_at=now, version=F("version") + 1)
    if updated != 1:
        raise InvalidTransition(_("This page is already resolved."), field="state")
    page.state, page.resolved_at = PageState.RESOLVED, now
    page.version += 1
    escalation_deadlines_cancel(page, now=now)
    _stop_deliveries(page)
    page_event(page, line("page.resolved", title=page.title_line, note=note), actor=actor)
    audit_record(organization=page.organization, actor=actor, action="page.resolve", obj=page,
                 changes={"note": note if isinstance(note, str) else line_english(note)})
    return page


def page_trigger(*, incident: Incident, actor, title: str, body: str = "", target_user=None) -> Page:
    """Page by hand ("page the legal approver now"): a person, or the incident's escalation policy."""
    import uuid

    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    if target_user is not None:
        membership_require(user=target_user, organization=incident.organization, role=Role.VIEWER)
    page, _created = page_open(organization=incident.organization, incident=incident, source=PageSource.MANUAL,
                               dedup_key=f"manual:{uuid.uuid4()}", title=title, body=body,
                               target_user=target_user, actor=actor)
    if page is None:  # resolved meanwhile (or already): nobody is paged about an incident that is over
        raise InvalidTransition(_("The incident was resolved."), field="incident")
    return page


def incident_pages_resolve(*, incident: Incident, actor) -> int:
    """The incident is over: stop paging anyone about it. Called in the transaction that resolves it."""
    resolved = 0
    pages = (Page.objects.filter(incident=incident, state__in=[PageState.TRIGGERED, PageState.ACKNOWLEDGED])
             # An action item's page stays: the item is still owed after the crisis.
             .exclude(deadline__kind__in=OUTLIVES_INCIDENT_KINDS))
    for page in pages:
        page.incident = incident
        try:
            page_resolve(page=page, actor=actor, note=line("page.incident_resolved"))
        except InvalidTransition:
            continue  # resolved by someone else a moment ago
        resolved += 1
    return resolved
