"""Scale out on the engines that exist: 2 webs, 2 copies of the paging workers and 2 engines, as separate
processes started with the production commands (config/processes.py), against one PostgreSQL database and
one broker (a private Redis; then the shared RabbitMQ). 2,000 deadlines fall due over 10 seconds while one
engine, one dispatch worker and one web are killed with SIGKILL and restarted, and a bounded request
generator keeps the webs busy.

Promises checked, from the database and from what the local webhook receiver counted: every deadline
breached exactly once; every page (one per breach) delivered exactly once; no request lost at the web tier
(every request answered 2xx by one of the two webs, a request the dead web refused going to the other one,
as a load balancer sends it) and no event written twice.
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from crisis.models import Breach, Deadline, EventKind, Incident, Organization, Role, TimelineEvent
from crisis.oncall.models import ContactKind, ContactMethod, Delivery, DeliveryStatus, Page, TargetKind
from crisis.oncall.services.sending import lease_length
from tests.factories import member
from tests.oncall.factories import policy_with
from tests.oncall.receiver import Receiver
from tests.timers.outcomes import (
    all_breached,
    all_dispatched,
    assert_breached_exactly_once,
    count_breached,
    ids_of,
)
from tests.timers.processes import celery_producer, database_url, wait_for
from tests.timers.rabbitmq import AMQP_URL, rabbitmq_answers, rabbitmq_queues_delete

from .load import Load
from .processes import PAGING_WORKERS, ClusterStack

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="several processes share the test database only on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

DEADLINES = 2000
INCIDENTS = 100
SPREAD_S = 10.0  # the deadlines fall due evenly over this many seconds, starting LEAD_S after they are made
LEAD_S = 3.0


@pytest.fixture(params=["redis", "rabbitmq"])
def cluster(request, tmp_path, monkeypatch, settings):
    """Redis: a private server. RabbitMQ: the shared one, with private queues (deleted afterwards) and without
    the workers' broadcasts (gossip, mingle, event heartbeats), which on a shared vhost would reach other runs'
    workers; an installation of its own has a vhost of its own instead."""
    broker = request.param
    if broker == "rabbitmq" and not rabbitmq_answers():
        pytest.skip(f"no RabbitMQ at {AMQP_URL}")
    stack = ClusterStack(workdir=tmp_path, database_url=database_url(connection.settings_dict))
    stack.queue = f"cluster-{broker}-{stack.queue}"
    stack.clock_set(0)
    monkeypatch.setenv("GOLDEN_HOURS_CLOCK_FILE", str(stack.clock_file))
    settings.GOLDEN_HOURS_SEND_TIMERS = True
    stack.extra_env.update({
        "GOLDEN_HOURS_API_RATE": "100000/min",  # the generator is one token; the limit is not under test here
        "GOLDEN_HOURS_ETA_HORIZON": "0",  # production's default: the engines alone breach
    })
    try:
        if broker == "redis":
            broker_url = stack.redis_start()
        else:
            broker_url = AMQP_URL
            stack.extra_env["CELERY_BROKER_URL"] = AMQP_URL
            stack.worker_extra_argv = ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with celery_producer(broker_url, stack.queue):
            yield stack
    finally:
        stack.stop_all()
        if broker == "rabbitmq":
            rabbitmq_queues_delete(stack.queue)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def world(receiver: Receiver) -> tuple[list[Incident], str]:
    """One organization paging one responder's webhook (no escalation within the test), open incidents, and an
    API token for the request generator."""
    from crisis.api.tokens import api_token_create

    org = Organization.objects.create(name="Cluster", slug="cluster", time_zone="Asia/Shanghai")
    responder = member(org, Role.RESPONDER)
    ContactMethod.objects.create(user=responder, kind=ContactKind.WEBHOOK, target=receiver.url, secret="cluster",
                                 position=0, reaches_internal_network=True)
    policy_with(org, [{"target_kind": TargetKind.USER, "user": responder, "wait_seconds": 86400}])
    now = timezone.now()
    incidents = Incident.objects.bulk_create(
        Incident(organization=org, title=f"Cluster incident {i}", first_public_signal_at=now, detected_at=now,
                 status="active") for i in range(INCIDENTS))
    _token, raw = api_token_create(user=responder, name="load", scopes=["read", "write"])
    return incidents, raw


def deadlines_falling_due(incidents: list[Incident]) -> list[Deadline]:
    """As the playbook makes them (bulk insert, NOTIFY at commit), due evenly over SPREAD_S seconds."""
    from django.db import transaction

    from crisis.timers.scheduling import deadlines_schedule

    start = timezone.now() + timedelta(seconds=LEAD_S)
    step = SPREAD_S / DEADLINES
    with transaction.atomic():
        made = Deadline.objects.bulk_create(
            Deadline(incident=incidents[i % len(incidents)], step_key=f"cluster-{i}", name=f"Cluster step {i}",
                     due_at=start + timedelta(seconds=i * step)) for i in range(DEADLINES))
        deadlines_schedule(deadlines=made)
    return made


def start_all(stack: ClusterStack) -> None:
    """Everything at once (the machine starts them in parallel), then wait for each to be ready."""
    for n in (1, 2):
        stack.web_start(f"web-{n}", wait=False)
        for kind in PAGING_WORKERS:
            stack.worker_replica_start(kind, f"{kind}-{n}", wait=False)
        stack.engine_replica_start(f"engine-{n}", wait=False)
    for n in (1, 2):
        stack.web_wait(f"web-{n}")
        for kind in PAGING_WORKERS:
            stack.worker_wait(f"{kind}-{n}")
        stack.engine_wait(f"engine-{n}")


def kill_and_restart(stack: ClusterStack, name: str, restart, *, until, what: str) -> None:
    """SIGKILL the process's whole group (as a crash or the OOM killer would), wait until the survivors have
    carried on without it (``until``), then start it again."""
    stack.kill(name)
    wait_for(until, timeout=30, interval=0.05, what=what)
    restart()


def dispatched_count(ids: list[int]) -> int:
    return Breach.objects.filter(deadline_id__in=ids, dispatched_at__isnull=False).count()


def test_it_breaches_and_pages_each_deadline_once_and_loses_no_request_while_one_of_each_dies(cluster, receiver):
    incidents, token = world(receiver)
    began = time.monotonic()
    start_all(cluster)
    print(f"all 10 processes ready in {time.monotonic() - began:.1f} s")
    deadlines = deadlines_falling_due(incidents)
    ids = ids_of(deadlines)
    load = Load(webs=[("127.0.0.1", cluster.ports["web-1"]), ("127.0.0.1", cluster.ports["web-2"])], token=token,
                incident_ids=[i.pk for i in incidents], threads=3, max_requests=2000, pause=0.15).start()
    try:
        wait_for(lambda: count_breached(ids) >= 200, timeout=30, interval=0.05, what="deadlines to fall due")
        breached = count_breached(ids)
        kill_and_restart(cluster, "engine-1", lambda: cluster.engine_replica_start("engine-1", wait=False),
                         until=lambda: count_breached(ids) >= breached + 200, what="engine-2 to breach on alone")
        dispatched = dispatched_count(ids)
        kill_and_restart(cluster, "worker-dispatch-1",
                         lambda: cluster.worker_replica_start("worker-dispatch", "worker-dispatch-1", wait=False),
                         until=lambda: dispatched_count(ids) >= dispatched + 50, what="the other dispatch worker")
        kill_and_restart(cluster, "web-1", lambda: cluster.web_start("web-1", wait=False),
                         until=lambda: load.tally.failed_over["refused"] >= 3, what="requests to find web-1 down")
        cluster.web_wait("web-1")
        wait_for(lambda: all_breached(ids), timeout=60, interval=0.2, what="every deadline to breach")
        print(f"breached at {time.monotonic() - began:.1f} s")
        wait_for(lambda: all_dispatched(ids), timeout=60, interval=0.2, what="every breach to be dispatched")
        print(f"dispatched at {time.monotonic() - began:.1f} s")
        # A delivery the killed dispatch worker had claimed is sent again only once its lease lapses (58 s by
        # default): the wait allows that whole lease and a minute more, for a loaded machine.
        wait_for(lambda: not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()
                 and len(receiver.accepted) >= DEADLINES, timeout=lease_length().total_seconds() + 60,
                 interval=0.2, what="every page to arrive")
    finally:
        tally = load.finish()
    print(f"paged in {time.monotonic() - began:.1f} s; requests: {tally.sent} sent, answers {dict(tally.answered)}, "
          f"per web {dict(tally.by_web)}, failed over {dict(tally.failed_over)}, lost {len(tally.lost)}")
    print({name: m.text().count("breached ") for name, m in cluster.processes.items() if name.startswith("engine")})

    assert_breached_exactly_once(ids)
    breaches = list(Breach.objects.filter(deadline_id__in=ids).values_list("pk", flat=True))
    pages = Page.objects.filter(breach_id__in=breaches)
    assert pages.count() == DEADLINES  # one page per breach, none twice (its dedup key is unique, too)
    keys = list(Delivery.objects.filter(page__in=pages).values_list("idempotency_key", flat=True))
    assert len(keys) == DEADLINES
    arrived = Counter(r.key for r in receiver.requests)
    assert sorted(receiver.accepted) == sorted(keys)  # every page reached the receiver...
    assert {k: n for k, n in arrived.items() if n != 1} == {}  # ...in one request, never sent twice

    assert tally.lost == []
    assert tally.not_2xx == {}
    assert sum(tally.answered.values()) == tally.sent > 0
    assert tally.by_web[0] > 0 and tally.by_web[1] > 0
    assert tally.failed_over["refused"] > 0  # the dead web was asked, and the other one answered for it
    written = TimelineEvent.objects.filter(pk__in=tally.created_event_ids, kind=EventKind.NOTE)
    assert written.count() == len(tally.created_event_ids) == len(set(tally.created_event_ids))
    assert not TimelineEvent.objects.filter(kind=EventKind.NOTE, body__startswith="load ").exclude(
        pk__in=tally.created_event_ids).exists()  # a retried POST wrote nothing twice
    for name, managed in cluster.processes.items():  # every process we started came back and is up
        assert managed.alive(), f"{name} is down:\n{managed.text()[-2000:]}"
