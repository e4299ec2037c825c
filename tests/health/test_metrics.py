"""/metrics: Prometheus text from the database (for every process) and from this process, behind a bearer token."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from crisis.models import Breach, Deadline, DeadlineState
from crisis.oncall.models import AttemptOutcome, Delivery, DeliveryAttempt, DeliveryStatus, Page, PageState
from tests.factories import IncidentFactory, UserFactory

from .beats import beat

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-scraper-token"


@pytest.fixture
def token(settings):
    settings.GOLDEN_HOURS_METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client, token=TOKEN) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def test_it_refuses_metrics_without_the_token(client, token):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_metrics_with_a_wrong_token(client, token):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401


def test_it_serves_metrics_with_the_token(client, token):
    assert scrape(client)


def test_it_refuses_metrics_when_no_token_is_set_outside_development(client, settings):
    settings.GOLDEN_HOURS_METRICS_TOKEN = ""
    settings.DEBUG = False
    assert client.get("/metrics").status_code == 401


def test_it_opens_metrics_when_no_token_is_set_in_development(client, settings):
    settings.GOLDEN_HOURS_METRICS_TOKEN = ""
    settings.DEBUG = True
    assert client.get("/metrics").status_code == 200


def test_it_answers_on_an_empty_database(client, token):
    samples = scrape(client)
    assert value(samples, "golden_hours_deadlines_pending", due="later") == 0
    assert value(samples, "golden_hours_due_to_breach_seconds_count") == 0
    assert value(samples, "golden_hours_breach_outbox_age_seconds") == 0
    assert value(samples, "golden_hours_engine_last_sweep_timestamp_seconds") == 0


def _breach(incident, step, *, due_ago, latency, on_arrival=False, retracted=False, dispatched=True):
    now = timezone.now()
    due = now - timedelta(seconds=due_ago)
    deadline = Deadline.objects.create(incident=incident, step_key=step, name=step, due_at=due,
                                       state=DeadlineState.BREACHED, breached_at=due, version=2)
    return Breach.objects.create(deadline=deadline, deadline_version=1, incident=incident, breached_at=due,
                                 recorded_at=due + timedelta(seconds=latency), is_on_arrival=on_arrival,
                                 dispatched_at=now if dispatched else None,
                                 retracted_at=now if retracted else None)


def _delivery(page, user, kind, outcomes):
    delivery = Delivery.objects.create(page=page, user=user, channel_key=kind, kind=kind, step=0,
                                       status=DeliveryStatus.SENT, idempotency_key=f"{page.pk}-{kind}",
                                       subject="s", body="b", created_at=timezone.now())
    for n, outcome in enumerate(outcomes, 1):
        DeliveryAttempt.objects.create(delivery=delivery, number=n, outcome=outcome, started_at=timezone.now(),
                                       latency_ms=12)


def test_it_counts_deadlines_breaches_pages_and_deliveries_from_the_database(client, token):
    incident = IncidentFactory()
    now = timezone.now()
    Deadline.objects.create(incident=incident, step_key="later", name="later", due_at=now + timedelta(hours=1))
    Deadline.objects.create(incident=incident, step_key="overdue", name="overdue", due_at=now - timedelta(minutes=5))
    _breach(incident, "fast", due_ago=600, latency=0.2)
    _breach(incident, "slow", due_ago=500, latency=40, dispatched=False)
    _breach(incident, "arrival", due_ago=400, latency=3600, on_arrival=True)
    _breach(incident, "false-alarm", due_ago=300, latency=0.4, retracted=True)
    user = UserFactory()
    pages = [Page.objects.create(organization=incident.organization, incident=incident, dedup_key=f"p{i}",
                                 source="manual", title="t", state=state, triggered_at=now)
             for i, state in enumerate([PageState.TRIGGERED, PageState.ACKNOWLEDGED, PageState.ACKNOWLEDGED])]
    _delivery(pages[0], user, "webhook", [AttemptOutcome.RETRYABLE, AttemptOutcome.OK])
    _delivery(pages[1], user, "email", [AttemptOutcome.PERMANENT])
    beat(seconds_ago=2, name="host-a:1")

    samples = scrape(client)

    assert value(samples, "golden_hours_deadlines_pending", due="later") == 1
    assert value(samples, "golden_hours_deadlines_pending", due="overdue") == 1
    assert value(samples, "golden_hours_breaches_total", outcome="standing") == 3
    assert value(samples, "golden_hours_breaches_total", outcome="retracted") == 1
    assert value(samples, "golden_hours_breaches_total", outcome="on_arrival") == 1
    # The on-arrival breach (an hour "late" by construction) is not engine latency.
    assert value(samples, "golden_hours_due_to_breach_seconds_count") == 3
    assert value(samples, "golden_hours_due_to_breach_seconds_bucket", le="0.25") == 1
    assert value(samples, "golden_hours_due_to_breach_seconds_bucket", le="0.5") == 2
    assert value(samples, "golden_hours_due_to_breach_seconds_bucket", le="30.0") == 2
    assert value(samples, "golden_hours_due_to_breach_seconds_bucket", le="60.0") == 3
    assert value(samples, "golden_hours_due_to_breach_seconds_sum") == pytest.approx(40.6, abs=0.01)
    assert value(samples, "golden_hours_breach_outbox_age_seconds") == pytest.approx(460, abs=5)
    assert value(samples, "golden_hours_pages_total", outcome="triggered") == 1
    assert value(samples, "golden_hours_pages_total", outcome="acknowledged") == 2
    assert value(samples, "golden_hours_delivery_attempts_total", transport="webhook", outcome="ok") == 1
    assert value(samples, "golden_hours_delivery_attempts_total", transport="webhook", outcome="retryable") == 1
    assert value(samples, "golden_hours_delivery_failures_total", transport="webhook") == 1
    assert value(samples, "golden_hours_delivery_failures_total", transport="email") == 1
    assert value(samples, "golden_hours_engine_loop_seconds", engine="host-a:1") == pytest.approx(0.004)
    assert value(samples, "golden_hours_engine_heartbeat_age_seconds", engine="host-a:1") == pytest.approx(2, abs=1)


def test_it_keeps_the_scrape_to_a_fixed_number_of_queries(client, token, django_assert_max_num_queries):
    incident = IncidentFactory()
    for i in range(30):
        _breach(incident, f"s{i}", due_ago=100 + i, latency=i / 10)
    for i in range(3):
        beat(name=f"host:{i}")
    with django_assert_max_num_queries(7):
        scrape(client)


def test_it_measures_request_latency_of_desk_requests_but_not_of_probes(client, token):
    before = scrape(client).get(("golden_hours_http_request_duration_seconds_count", (("method", "GET"),)), 0)
    client.get("/healthz")
    client.get("/login/")
    after = scrape(client)[("golden_hours_http_request_duration_seconds_count", (("method", "GET"),))]
    assert after == before + 1  # the sign-in page; neither the probe nor the scrapes


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_sums_request_latency_over_processes_in_multiprocess_mode(tmp_path):
    """Gunicorn's workers are separate processes: with PROMETHEUS_MULTIPROC_DIR each writes its histogram there and
    a scrape of any of them counts every worker's requests."""
    import os
    import subprocess

    from tests.health.test_probes import db_url
    from tests.timers.processes import PYTHON, ROOT

    script = (
        "import django, sys; django.setup()\n"
        "from django.urls import get_resolver; get_resolver().url_patterns  # as after a worker's first request\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='localhost')\n"
        "for _ in range(int(sys.argv[1])): c.get('/login/')\n"
        "r = c.get('/metrics', HTTP_AUTHORIZATION='Bearer t')\n"
        "sys.stdout.write(r.content.decode())\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
               GOLDEN_HOURS_METRICS_TOKEN="t", DATABASE_URL=db_url())

    def run(requests: int) -> str:
        out = subprocess.run([PYTHON, "-c", script, str(requests)], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        return out.stdout

    run(2)
    text = run(3)
    counts = [line for line in text.splitlines()
              if line.startswith('golden_hours_http_request_duration_seconds_count{method="GET"}')]
    assert counts == ['golden_hours_http_request_duration_seconds_count{method="GET"} 5.0']
