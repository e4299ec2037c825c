"""Every process Golden Hours runs as, named once.

bin/up starts them all on one machine (with Django's development server for the web); the production
definitions (compose.yaml, the systemd units in deploy/) and the multi-process tests start the same commands.
Like config/queues.py, this imports nothing from Django or Celery.
"""

from .queues import DEFAULT_PREFIX, WORKERS


def process_argv(*, bind: str, prefix: str = DEFAULT_PREFIX, development: bool = False) -> dict[str, list[str]]:
    """The arguments after ``python`` of each process, by name: web, one worker per entry of WORKERS, engine."""
    if development:
        web = ["manage.py", "runserver", bind, "--noreload"]
    else:
        # gunicorn.conf.py: the redacting access log; run from the repository root.
        web = ["-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py", "--bind", bind]
    commands = {"web": web}
    commands |= {f"worker-{worker.name}": [*worker.argv(prefix), "-l", "warning"] for worker in WORKERS}
    commands["engine"] = ["manage.py", "run_engine"]
    return commands
