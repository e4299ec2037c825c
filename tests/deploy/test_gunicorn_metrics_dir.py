"""gunicorn.conf.py gives the web workers one empty prometheus-client directory, so /metrics sums them all."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_starts_each_master_with_an_empty_metrics_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "histogram_123.db").write_bytes(b"stale")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    conf["on_starting"](server=None)

    assert conf["METRICS_DIR"] == str(tmp_path / "metrics")
    assert list((tmp_path / "metrics").iterdir()) == []
    conf["on_exit"](server=None)
    assert not (tmp_path / "metrics").exists()


def test_it_chooses_a_directory_of_its_own_when_none_is_set(monkeypatch):
    # Set, then unset, through monkeypatch: it then removes what the file's setdefault writes into this process,
    # which every later subprocess would otherwise inherit.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "set-by-the-test")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert "golden-hours-metrics-" in conf["METRICS_DIR"]
