"""Gunicorn reads this file when started from the project folder (``gunicorn config.wsgi``), or with
``-c gunicorn.conf.py`` from anywhere: the access log then keeps no secret that came in a URL or header, and
request latency is counted across all workers."""

import os
import shutil
import tempfile

logger_class = "config.access_log.RedactingLogger"
# gunicorn's own limit (4,094) answers a longer request line with an HTML 400 before the app sees it; a list URL
# with a few filters and a cursor can pass it. 8,190 is gunicorn's ceiling, and the app's JSON errors stay in charge.
limit_request_line = 8190

# Request latency (crisis/health/metrics.py) is measured in the worker that served the request: prometheus-client's
# multiprocess mode keeps each worker's counts in a file of one directory, which any worker's /metrics sums. The
# directory must start empty (stale files from an earlier run would count again): one per master, removed on exit.
METRICS_DIR = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"golden-hours-metrics-{os.getpid()}"))


def on_starting(server):
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
    os.makedirs(METRICS_DIR, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid, METRICS_DIR)


def on_exit(server):
    shutil.rmtree(METRICS_DIR, ignore_errors=True)
