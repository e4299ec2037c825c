"""The engine announces breaches to whoever subscribed; it imports none of them (no module of crisis/timers/
imports on-call or the API), and the outbox's promise holds for every consumer: announced exactly once,
tried again after a failure."""

import ast
from pathlib import Path

import pytest

from crisis.models import Breach
from crisis.timers import consumers, tasks
from crisis.timers.sweeper import deadlines_breach_due

ROOT = Path(__file__).resolve().parents[2]
CONSUMER_PACKAGES = ("crisis.oncall", "crisis.api", "crisis.reports", "crisis.web")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at the top or inside a function, relative imports resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def _crisis_graph() -> dict[str, set[str]]:
    files = [p for p in (ROOT / "crisis").rglob("*.py") if "migrations" not in p.parts]
    modules = {_module_name(p): p for p in files}

    def known(name: str) -> str | None:  # "crisis.models.Breach" -> "crisis.models"
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    return {name: {m for m in map(known, _imports(path)) if m and m != name} for name, path in modules.items()}


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_it_keeps_every_timers_module_free_of_its_consumers_imports():
    offending = {}
    for path in sorted((ROOT / "crisis/timers").glob("*.py")):
        bad = {name for name in _imports(path) if name.startswith(CONSUMER_PACKAGES)}
        if bad:
            offending[path.name] = sorted(bad)

    assert offending == {}


def test_it_has_no_import_cycle_between_the_engine_and_on_call():
    graph = _crisis_graph()
    timers = [name for name in graph if name.startswith("crisis.timers")]

    # Not even through a third package (timers -> playbooks -> on-call -> timers).
    reaches_oncall = {name: sorted(m for m in _reachable(graph, name) if m.startswith("crisis.oncall"))
                      for name in timers}

    assert {name: hits for name, hits in reaches_oncall.items() if hits} == {}
    assert any(m.startswith("crisis.timers") for name in graph if name.startswith("crisis.oncall")
               for m in graph[name]), "on-call uses the engine (the direction that is allowed)"


def test_it_finds_an_import_from_a_function_body_too(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    (tmp_path / "crisis/timers").mkdir(parents=True)
    sneaky = tmp_path / "crisis/timers/sneaky.py"
    sneaky.write_text("def f():\n    from crisis.oncall.dispatch import breaches_alert\n    from ..api import x\n")

    assert {"crisis.oncall.dispatch", "crisis.api"} <= _imports(sneaky)


def test_it_lets_on_call_subscribe_from_its_app_config():
    from crisis.oncall.receivers import breaches_page

    assert consumers.breach_consumers()["oncall"] is breaches_page


@pytest.mark.django_db
def test_it_announces_each_breach_to_every_consumer_once(incident_at_t0, at, monkeypatch):
    heard = []
    monkeypatch.setattr(consumers, "_consumers", {
        "a": lambda *, breaches: heard.append(("a", [b.pk for b in breaches])),
        "b": lambda *, breaches: heard.append(("b", [b.pk for b in breaches])),
    })
    incident_at_t0()
    deadlines_breach_due(now=at(16))
    breach = Breach.objects.get()

    assert tasks.breaches_dispatch([breach.pk]) == 1
    assert tasks.breaches_dispatch([breach.pk]) == 0  # a duplicated task finds it dispatched

    assert heard == [("a", [breach.pk]), ("b", [breach.pk])]


@pytest.mark.django_db
def test_it_leaves_the_breach_in_the_outbox_when_a_consumer_fails_and_announces_it_on_the_retry(
        incident_at_t0, at, monkeypatch):
    heard, failing = [], [True]

    def flaky(*, breaches):
        if failing[0]:
            raise RuntimeError("the consumer's database write failed")
        heard.append([b.pk for b in breaches])

    monkeypatch.setattr(consumers, "_consumers", {"flaky": flaky})
    incident_at_t0()
    deadlines_breach_due(now=at(16))
    breach = Breach.objects.get()

    with pytest.raises(RuntimeError):
        tasks.breaches_dispatch([breach.pk])
    assert Breach.objects.get().dispatched_at is None  # still in the outbox: the relay sends it again

    failing[0] = False
    assert tasks.breaches_dispatch([breach.pk]) == 1
    assert heard == [[breach.pk]]


@pytest.mark.django_db
def test_it_marks_breaches_dispatched_with_no_consumer_at_all(incident_at_t0, at, monkeypatch):
    monkeypatch.setattr(consumers, "_consumers", {})
    incident_at_t0()
    deadlines_breach_due(now=at(16))

    assert tasks.breaches_dispatch(list(Breach.objects.values_list("pk", flat=True))) == 1
    assert Breach.objects.get().dispatched_at is not None


def test_it_registers_a_consumer_once_however_often_ready_runs(monkeypatch):
    monkeypatch.setattr(consumers, "_consumers", {})

    def consumer(*, breaches):
        return None

    consumers.breach_consumer_register("x", consumer)
    consumers.breach_consumer_register("x", consumer)

    assert consumers.breach_consumers() == {"x": consumer}
