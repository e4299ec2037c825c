"""Prometheus metrics (prometheus-client), for /metrics.

Two sources, chosen by where each number lives:
- What the engine, the workers and the web did to deadlines, breaches, pages and deliveries is read from the
  database at scrape time (``DatabaseCollector``). Those happen in many processes on many machines (K engines,
  M workers); the database already holds every one of them, so any web process answers for all, with nothing to
  merge and nothing lost when a process restarts. A scrape costs seven aggregate queries.
- Request latency exists only in the web process that served the request. Under gunicorn with several workers,
  set PROMETHEUS_MULTIPROC_DIR (an empty directory, the same for all workers of one host, emptied at start):
  prometheus-client's multiprocess mode then writes each worker's histogram to a file there and a scrape of any
  worker sums them. Without it (development, one process) the process's own registry answers.
"""

import os
import threading
import time
from datetime import timedelta

from django.core.signals import request_finished, request_started
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from crisis import clock
from crisis.models import Breach, Deadline, DeadlineState, EngineHeartbeat

# Due -> breach latency buckets (seconds): the engine's target is well under a second; the tail shows outages.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
# Probes and scrapes are not people waiting: they are left out of the request latency.
UNMEASURED_PATHS = ("/healthz", "/readyz", "/metrics")

REQUEST_LATENCY = Histogram("golden_hours_http_request_duration_seconds",
                            "Time from the request reaching Django to its response being closed.", ["method"])
_started = threading.local()


def _request_started(sender, environ=None, **kwargs):
    path = (environ or {}).get("PATH_INFO", "")
    _started.value = None if path.startswith(UNMEASURED_PATHS) else (
        time.perf_counter(), (environ or {}).get("REQUEST_METHOD", "GET"))


def _request_finished(sender, **kwargs):
    started = getattr(_started, "value", None)
    if started is not None:
        at, method = started
        REQUEST_LATENCY.labels(method=method if method in {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE"}
                               else "other").observe(time.perf_counter() - at)
        _started.value = None


request_started.connect(_request_started, dispatch_uid="golden-hours-request-latency-start")
request_finished.connect(_request_finished, dispatch_uid="golden-hours-request-latency-end")


def _seconds(value) -> float:
    if value is None:
        return 0.0
    return value.total_seconds() if isinstance(value, timedelta) else float(value) / 1e6


class DatabaseCollector:
    """Every metric the database can answer, computed at scrape time (see the module's docstring)."""

    def collect(self):
        yield from self._deadlines()
        yield from self._breaches()
        yield from self._pages()
        yield from self._deliveries()
        yield from self._engines()

    def _deadlines(self):
        now = clock.now()
        counts = Deadline.objects.filter(state=DeadlineState.PENDING).aggregate(
            pending=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=now)))
        gauge = GaugeMetricFamily("golden_hours_deadlines_pending", "Deadlines pending, and of them already due.",
                                  labels=["due"])
        gauge.add_metric(["later"], counts["pending"] - counts["overdue"])
        gauge.add_metric(["overdue"], counts["overdue"])
        yield gauge

    def _breaches(self):
        latency = ExpressionWrapper(F("recorded_at") - F("breached_at"), output_field=DurationField())
        live = Q(is_on_arrival=False)
        buckets = {f"le_{i}": Count("pk", filter=live & Q(latency__lte=timedelta(seconds=b)))
                   for i, b in enumerate(LATENCY_BUCKETS)}
        row = Breach.objects.annotate(latency=latency).aggregate(
            total=Count("pk"), retracted=Count("pk", filter=Q(retracted_at__isnull=False)),
            on_arrival=Count("pk", filter=Q(is_on_arrival=True)), live=Count("pk", filter=live),
            latency_sum=Sum("latency", filter=live), oldest_undispatched=Min("recorded_at",
                                                                             filter=Q(dispatched_at__isnull=True)),
            **buckets)
        counter = CounterMetricFamily("golden_hours_breaches", "Breaches by outcome: standing, or retracted when a "
                                      "fact entered later showed the deadline met; on_arrival were overdue when set.",
                                      labels=["outcome"])
        counter.add_metric(["standing"], row["total"] - row["retracted"])
        counter.add_metric(["retracted"], row["retracted"])
        counter.add_metric(["on_arrival"], row["on_arrival"])
        yield counter
        histogram = [(str(b), row[f"le_{i}"]) for i, b in enumerate(LATENCY_BUCKETS)]
        yield HistogramMetricFamily(
            "golden_hours_due_to_breach_seconds", "From a deadline's due time to its breach being committed "
            "(deadlines overdue when set are left out).", buckets=[*histogram, ("+Inf", row["live"])],
            sum_value=_seconds(row["latency_sum"]))
        oldest = row["oldest_undispatched"]
        yield GaugeMetricFamily("golden_hours_breach_outbox_age_seconds",
                                "Age of the oldest breach not yet dispatched to on-call (0: none waiting).",
                                value=max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0)

    def _pages(self):
        from crisis.oncall.models import Page

        counter = CounterMetricFamily("golden_hours_pages", "Pages by outcome (their state now).", labels=["outcome"])
        for state, n in Page.objects.order_by().values_list("state").annotate(n=Count("pk")):
            counter.add_metric([state], n)
        yield counter

    def _deliveries(self):
        from crisis.oncall.models import OPEN_DELIVERY_STATUSES, AttemptOutcome, Delivery, DeliveryAttempt

        attempts = CounterMetricFamily("golden_hours_delivery_attempts", "Delivery attempts by transport and "
                                       "outcome.", labels=["transport", "outcome"])
        failures = CounterMetricFamily("golden_hours_delivery_failures", "Failed delivery attempts by transport.",
                                       labels=["transport"])
        failed: dict[str, int] = {}
        rows = (DeliveryAttempt.objects.order_by().values_list("delivery__kind", "outcome")
                .annotate(n=Count("pk")))
        for kind, outcome, n in rows:
            attempts.add_metric([kind, outcome], n)
            if outcome != AttemptOutcome.OK:
                failed[kind] = failed.get(kind, 0) + n
        for kind, n in failed.items():
            failures.add_metric([kind], n)
        yield attempts
        yield failures
        oldest = Delivery.objects.filter(status__in=OPEN_DELIVERY_STATUSES).aggregate(at=Min("created_at"))["at"]
        yield GaugeMetricFamily("golden_hours_delivery_outbox_age_seconds",
                                "Age of the oldest delivery still queued, sending or waiting to retry (0: none).",
                                value=max((timezone.now() - oldest).total_seconds(), 0.0) if oldest else 0.0)

    def _engines(self):
        now = clock.now()
        loop = GaugeMetricFamily("golden_hours_engine_loop_seconds", "Longest sweep of each engine between its "
                                 "last two heartbeats.", labels=["engine"])
        silence = GaugeMetricFamily("golden_hours_engine_heartbeat_age_seconds", "Time since each engine's last "
                                    "sweep (its heartbeat), on the crisis clock.", labels=["engine"])
        newest = None
        for name, swept_at, seconds in EngineHeartbeat.objects.values_list("name", "swept_at", "loop_seconds"):
            loop.add_metric([name], seconds)
            silence.add_metric([name], max((now - swept_at).total_seconds(), 0.0))
            newest = swept_at if newest is None else max(newest, swept_at)
        yield loop
        yield silence
        yield GaugeMetricFamily("golden_hours_engine_last_sweep_timestamp_seconds",
                                "When any engine last swept (Unix time; 0: never).",
                                value=newest.timestamp() if newest else 0.0)


def metrics_text() -> bytes:
    """The exposition: this host's process metrics (all gunicorn workers in multiprocess mode) and the database's."""
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        from prometheus_client import REGISTRY as processes
    return generate_latest(processes) + generate_latest(database)


__all__ = ["DatabaseCollector", "metrics_text"]
