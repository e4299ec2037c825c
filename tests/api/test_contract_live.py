"""The API answers every request as its schema says: Schemathesis against a live server (gunicorn, two workers),
with every phase (examples, coverage, fuzzing, stateful) and every check, within a time budget.

The same run is `bin/api-contract`; its reports (JUnit, NDJSON) land in the directory given."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUDGET_SECONDS = 180


@pytest.mark.slow  # about 3.5 minutes: the budget (the stateful phase gets 40 % of it), the server's start
def test_it_answers_every_request_as_its_schema_says(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "tests.api.contract.live", "--max-time", str(BUDGET_SECONDS),
         "--report-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=BUDGET_SECONDS + 600, check=False)

    summary = run.stdout[run.stdout.find("=== SUMMARY"):] if "=== SUMMARY" in run.stdout else run.stdout[-4000:]
    assert run.returncode == 0, f"{run.stdout[-20000:]}\n{run.stderr[-4000:]}"
    # The run reached the API: every phase ran, and no operation was left untested.
    assert "✅ Coverage" in summary and "✅ Fuzzing" in summary and "✅ Stateful" in summary, summary
    assert list(tmp_path.glob("junit-*.xml")), "no JUnit report written"
