"""One list of processes: what bin/up starts is what production runs, bar the web server."""

from config.processes import process_argv
from config.queues import WORKERS


def test_it_names_the_web_every_worker_and_the_engine():
    names = list(process_argv(bind="127.0.0.1:8000"))

    assert names == ["web", *[f"worker-{worker.name}" for worker in WORKERS], "engine"]


def test_it_runs_gunicorn_in_production_and_runserver_in_development():
    production = process_argv(bind="0.0.0.0:8000")
    development = process_argv(bind="127.0.0.1:8000", development=True)

    assert production["web"][:3] == ["-m", "gunicorn", "config.wsgi"] and "0.0.0.0:8000" in production["web"]
    assert development["web"][:2] == ["manage.py", "runserver"]
    assert {k: v for k, v in production.items() if k != "web"} == {k: v for k, v in development.items() if k != "web"}


def test_it_gives_each_worker_the_run_prefix_on_every_queue():
    argv = process_argv(bind="127.0.0.1:8000", prefix="ci-7")["worker-dispatch"]

    assert argv[argv.index("-Q") + 1] == "ci-7.dispatch"
