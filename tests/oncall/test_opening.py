"""Opening many pages at once: the same outcome as opening each and walking it, in a fixed number of queries."""

from datetime import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from crisis.models import AuditEntry, Breach, Deadline, DeadlineKind, EventKind, Incident, TimelineEvent
from crisis.oncall.dispatch import breach_dedup_key
from crisis.oncall.models import ContactPreference, Delivery, Page, PageSource, TargetKind
from crisis.oncall.selectors import escalation_policy_for
from crisis.oncall.services.opening import PageSpec, pages_open
from crisis.oncall.services.page_records import page_event
from crisis.oncall.services.pages import page_escalate
from crisis.services.audit import audit_record
from crisis.timers import tasks
from crisis.timers.sweeper import deadlines_breach_due

from .factories import ScheduleFactory, policy_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, people, incident_at_t0, at):
    """Four incidents that walk a policy differently: nobody on call, then the commander, twice over."""
    empty = ScheduleFactory(organization=org, time_zone="Asia/Shanghai")
    policy_with(org, [{"target_kind": TargetKind.SCHEDULE, "schedule": empty, "wait_seconds": 300},
                      {"target_kind": TargetKind.INCIDENT_ROLE, "incident_role": "commander", "wait_seconds": 600}],
                repeat=1)
    ContactPreference.objects.create(user=people["approver"], time_zone="Asia/Shanghai",
                                     quiet_start=time(0, 0), quiet_end=time(6, 0))  # T0+16 min is 02:16 there
    incident_at_t0(title="A: commanded", commander=people["commander"])
    incident_at_t0(title="B: nobody in command")
    incident_at_t0(title="C: commander in quiet hours", commander=people["approver"])
    incident_at_t0(title="D: SEV1 overrides quiet hours", commander=people["approver"], severity=1)
    deadlines_breach_due(now=at(16))
    return list(Breach.objects.order_by("pk").values_list("pk", flat=True))


def _walk_one_page_at_a_time(breach_pk: int) -> None:
    """The reference: create the page at step -1 and let page_escalate walk it, as page_open used to."""
    breach = Breach.objects.select_related("deadline", "incident__organization").get(pk=breach_pk)
    incident = breach.incident
    page = Page.objects.create(
        organization=incident.organization, incident=incident, dedup_key=breach_dedup_key(breach),
        source=PageSource.BREACH, title=f"Missed: {breach.deadline.name}", body="", severity=incident.severity,
        policy=escalation_policy_for(organization=incident.organization, severity=incident.severity),
        breach=breach, deadline=breach.deadline, triggered_at=breach.deadline.breached_at)
    page_event(page, f"Page opened: {page.title}.", dedup_key=page.dedup_key)
    audit_record(organization=incident.organization, actor=None, action="page.open", obj=page,
                 changes={"dedup_key": page.dedup_key, "source": page.source})
    page_escalate(page=page, from_step=-1)


def _outcome() -> dict:
    """Everything paging wrote, keyed by incident title rather than ids (ids differ between runs)."""
    result = {}
    for incident in Incident.objects.order_by("title"):
        pages = list(Page.objects.filter(incident=incident))
        result[incident.title] = {
            "pages": [(p.state, p.step, p.version, p.severity) for p in pages],
            "events": [(e.body.split(":")[0], e.metadata.get("step"), e.metadata.get("state"))
                       for e in TimelineEvent.objects.filter(incident=incident, kind=EventKind.PAGE).order_by("id")],
            "deliveries": sorted(Delivery.objects.filter(page__in=pages).values_list("user__username", "step",
                                                                                        "status", "kind")),
            "timers": sorted(Deadline.objects.filter(incident=incident, kind=DeadlineKind.ESCALATION)
                             .values_list("occurrence", "due_at", "state")),
            "audit": sorted(AuditEntry.objects.filter(object_type="crisis_oncall.page",
                                                      object_id__in=[str(p.pk) for p in pages])
                            .values_list("action", flat=True)),
        }
    return result


def test_it_opens_a_batch_exactly_as_walking_each_page_would(world):
    rollback = transaction.savepoint()
    for pk in world:
        _walk_one_page_at_a_time(pk)
    walked = _outcome()
    transaction.savepoint_rollback(rollback)

    assert tasks.breaches_dispatch(world) == len(world)
    together = _outcome()
    assert together == walked
    # And the scenarios did differ: a skipped level, an exhausted page, a held-back and a sent delivery.
    assert together["A: commanded"]["pages"][0][1] == 1
    assert together["B: nobody in command"]["pages"][0][1] == 3
    assert {d[2] for t in together.values() for d in t["deliveries"]} == {"suppressed", "queued"}


def test_it_opens_any_number_of_pages_in_the_same_number_of_queries(org, people, incident_at_t0, at, schedule,
                                                                     policy):
    def dispatch(count: int, minute: float) -> int:
        for n in range(count):
            incident_at_t0(title=f"Incident {minute}-{n}", commander=people["commander"])
        deadlines_breach_due(now=at(minute))
        pending = list(Breach.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as queries:
            tasks.breaches_dispatch(pending)
        assert Page.objects.filter(breach__in=pending).count() == count
        return len(queries)

    assert dispatch(2, 16) == dispatch(20, 16)


def test_it_returns_the_existing_page_for_a_dedup_key_already_open(org, people, commanded_incident, policy, at):
    incident = commanded_incident()
    at(16)
    spec = PageSpec(organization=org, incident=incident, source=PageSource.MANUAL, dedup_key="manual:once",
                    title="Call legal")
    [(first, created)] = pages_open(specs=[spec])
    events = TimelineEvent.objects.count()
    again = pages_open(specs=[spec, spec])
    assert created is True
    assert again == [(first, False), (first, False)]
    assert TimelineEvent.objects.count() == events


def test_it_opens_a_spec_repeated_in_one_batch_once(org, commanded_incident, policy, at):
    incident = commanded_incident()
    at(16)
    spec = PageSpec(organization=org, incident=incident, source=PageSource.MANUAL, dedup_key="manual:twice",
                    title="Call legal")
    (first, created_first), (second, created_second) = pages_open(specs=[spec, spec])
    assert (first.pk, created_first, created_second) == (second.pk, True, False)
    assert Page.objects.filter(dedup_key="manual:twice").count() == 1


def test_it_falls_back_to_one_by_one_when_a_batch_loses_a_dedup_race(org, commanded_incident, policy, at,
                                                                     monkeypatch):
    from crisis.oncall.services import opening

    incident = commanded_incident()
    at(16)
    specs = [PageSpec(organization=org, incident=incident, source=PageSource.MANUAL, dedup_key=f"manual:{n}",
                      title=f"Call {n}") for n in range(3)]
    pages_open(specs=[specs[1]])  # another transaction opens page 1...
    real_check = opening._already_open
    checks = []

    def blind_first_check(keys):  # ...just after our existence check had found nothing
        checks.append(keys)
        return {} if len(checks) == 1 else real_check(keys)

    monkeypatch.setattr(opening, "_already_open", blind_first_check)
    results = pages_open(specs=specs)
    assert [p.dedup_key for p, _created in results] == ["manual:0", "manual:1", "manual:2"]
    assert [created for _p, created in results] == [True, False, True]
    assert Page.objects.filter(dedup_key__startswith="manual:").count() == 3


def test_it_still_pages_the_others_when_one_breach_of_a_batch_fails(world, monkeypatch):
    from crisis.oncall import dispatch

    real = dispatch.breaches_alert
    poisoned = world[1]

    def failing(*, breaches):
        if any(b.pk == poisoned for b in breaches):
            raise RuntimeError("a bad row")
        return real(breaches=breaches)

    monkeypatch.setattr(dispatch, "breaches_alert", failing)
    assert tasks.breaches_dispatch(world) == len(world) - 1
    assert list(Breach.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True)) == [poisoned]


def test_it_pages_nobody_on_an_empty_schedule(org, people, incident_at_t0, at):
    empty = ScheduleFactory(organization=org)
    policy_with(org, [{"target_kind": TargetKind.SCHEDULE, "schedule": empty, "wait_seconds": 60}])
    incident_at_t0(commander=people["commander"])
    deadlines_breach_due(now=at(16))
    tasks.breaches_dispatch(list(Breach.objects.values_list("pk", flat=True)))
    assert (Page.objects.get().step, Delivery.objects.count()) == (0, 0)
