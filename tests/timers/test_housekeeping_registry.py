"""The engine's housekeeping runs the jobs the apps declare, each on its own: it imports none of them."""

import ast
from pathlib import Path

import pytest

from crisis.timers import housekeeping
from crisis.timers.engine import Engine

ROOT = Path(__file__).resolve().parents[2]


def test_it_runs_the_jobs_each_app_declared():
    assert {"oncall", "api-records-purge", "invitations-mail-resend"} <= set(housekeeping.housekeeping_jobs())


def test_it_runs_the_other_jobs_when_one_fails(monkeypatch):
    ran = []

    def broken(*, now):
        raise RuntimeError("the mail server is down")

    monkeypatch.setattr(housekeeping, "_jobs", {"a-broken": broken, "b-fine": lambda *, now: ran.append(now)})

    assert housekeeping.housekeeping_run(now="now") == ["a-broken"]
    assert ran == ["now"]


@pytest.mark.django_db
def test_it_is_what_the_engine_runs_beside_the_sweep(monkeypatch):
    ran = []
    monkeypatch.setattr(housekeeping, "_jobs", {"probe": lambda *, now: ran.append(now)})

    Engine().housekeeping()

    assert len(ran) == 1


def test_it_keeps_the_engine_free_of_its_consumers_imports():
    tree = ast.parse((ROOT / "crisis/timers/engine.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}

    assert not {name for name in imported if name.startswith(("crisis.oncall", "crisis.api"))}
