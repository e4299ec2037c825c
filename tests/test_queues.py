"""Queues by urgency: every task has its queue, every queue a worker, every queue name the run's prefix."""

import pytest
from django.conf import settings

from config.celery_app import app
from config.queues import DEFAULT_PREFIX, QUEUES, TASK_QUEUES, WORKERS, queue_name, task_routes
from tests.conftest import ROOT
from tests.test_settings import import_settings


@pytest.fixture(scope="module")
def task_names() -> set[str]:
    app.loader.import_default_modules()  # what a worker registers at start-up
    return {name for name in app.tasks if not name.startswith("celery.")}


def test_it_routes_every_task_of_the_project_by_name(task_names):
    # A new task that nobody routed would land in housekeeping, behind whatever is slow there.
    assert task_names == set(TASK_QUEUES)


def test_it_sends_pages_and_their_messages_on_queues_of_their_own():
    assert (TASK_QUEUES["crisis.timers.tasks.breaches_dispatch"], TASK_QUEUES["crisis.oncall.tasks.deliveries_deliver"],
            TASK_QUEUES["crisis.oncall.tasks.delivery_send"]) == ("dispatch", "sends", "sends")
    assert TASK_QUEUES["crisis.timers.tasks.deadline_due"] == "timers"
    assert TASK_QUEUES["crisis_reports.report_generate"] == "reports"


def test_it_gives_every_queue_a_worker_in_the_production_layout():
    consumed = [queue for worker in WORKERS for queue in worker.queues]
    assert sorted(consumed) == sorted(QUEUES)  # each queue once: no worker shares paging with slow work


def test_it_keeps_paging_away_from_timers_and_reports():
    for worker in WORKERS:
        if {"dispatch", "sends"} & set(worker.queues):
            assert not {"timers", "housekeeping", "reports"} & set(worker.queues), worker


def test_it_starts_every_queue_name_with_the_runs_prefix():
    prefix, routes, default = (settings.GOLDEN_HOURS_QUEUE_PREFIX, settings.CELERY_TASK_ROUTES,
                               settings.CELERY_TASK_DEFAULT_QUEUE)
    assert (routes, default) == (task_routes(prefix), queue_name(prefix, "housekeeping"))
    result = import_settings("config.settings.test", show="s.CELERY_TASK_ROUTES, '|', s.CELERY_TASK_DEFAULT_QUEUE",
                             GOLDEN_HOURS_QUEUE_PREFIX="private-42")
    routes, default = result.stdout.split(" | ")
    assert "golden-hours" not in result.stdout
    assert routes.count("'private-42.") == len(TASK_QUEUES)
    assert default.strip() == "private-42.housekeeping"


def test_it_asks_each_worker_for_its_own_queues_only():
    argv = WORKERS[0].argv("private-42", node="n1")
    queues = argv[argv.index("-Q") + 1].split(",")
    assert queues == [queue_name("private-42", q) for q in WORKERS[0].queues]
    assert argv[argv.index("-n") + 1] == "n1@%h"


def test_it_documents_the_production_workers_as_they_are_started():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for worker in WORKERS:
        command = " ".join(worker.argv(DEFAULT_PREFIX)[1:])  # from "celery", as typed
        assert command in readme, f"README lacks the {worker.name} worker: {command}"
