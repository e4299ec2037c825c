"""Run Schemathesis against a live Golden Hours: gunicorn with two workers on a throwaway database, every phase
(examples, coverage, fuzzing, stateful), every check, within a time budget. Exit status: Schemathesis's own.

    python -m tests.api.contract.live [--max-time 120] [--phases ...] [--report-dir DIR]

bin/api-contract runs it; tests/api/test_contract_live.py runs it as part of the suite.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
from redis_local import free_port, redis_url_or_bundled  # noqa: E402

BIN = Path(sys.executable).parent
PHASES = "examples,coverage,fuzzing,stateful"
# An import document's schema is exact, but a schema-valid one is rarely a true story (times that follow one
# another, within a month of the signal, real calendar dates): a drawn document is refused with a 400 naming the
# item, as it should be. tests/services/test_imports.py and tests/api/test_import*.py test it instead.
# The same holds for a stakeholder list's CSV text (tests/media/test_stakeholder_import.py, tests/media/test_api.py).
EXCLUDED = ["incidents_import", "stakeholders_import"]


def _environment(workdir: Path, redis_url: str) -> dict:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": env.get("GOLDEN_HOURS_CONTRACT_DATABASE_URL", f"sqlite:///{workdir / 'contract.sqlite3'}"),
        "REDIS_URL": redis_url,
        # Thousands of requests from one token in two minutes: the limits are tested elsewhere (tests/api).
        "GOLDEN_HOURS_API_RATE": "1000000/min", "GOLDEN_HOURS_WEBHOOK_RATE": "1000000/min",
        "PYTHONPATH": str(ROOT),
    })
    return env


def _world(env: dict) -> dict:
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    code = ("import json, django; django.setup(); from tests.api.contract.world import world_build; "
            "print(json.dumps(world_build()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--timeout", "60", "--error-logfile", str(log)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/?format=json", timeout=30):  # noqa: S310
                return server
        except OSError:  # refused while gunicorn starts; URLError and timeouts are OSErrors too
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")


def contract_run(*, max_time: int, phases: str, report_dir: Path, max_examples: int | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="golden-hours-contract-") as tmp:
        workdir = Path(tmp)
        redis, redis_url = redis_url_or_bundled(workdir / "redis")
        env = _environment(workdir, redis_url)
        world = _world(env)
        port = free_port()
        server = _serve(env, port, report_dir / "gunicorn.log")
        try:
            return max(_schemathesis(port=port, world=world, env=env, phases=part, max_time=budget,
                                     report_dir=report_dir, max_examples=max_examples)
                       for part, budget in _phase_budgets(phases, max_time))
        finally:
            server.terminate()
            server.wait(30)
            if redis is not None:
                redis.terminate()
                redis.wait(10)


def _phase_budgets(phases: str, max_time: int) -> list[tuple[str, int]]:
    """With 120 operations one time budget was spent before the stateful phase began (it runs last, and was
    skipped): the stateful phase gets its own share, 40 % of the budget, in a second run against the same server."""
    names = [p for p in phases.split(",") if p]
    if "stateful" not in names or len(names) == 1:
        return [(phases, max_time)]
    stateful = max(30, max_time * 2 // 5)
    return [(",".join(p for p in names if p != "stateful"), max_time - stateful), ("stateful", stateful)]


def _schemathesis(*, port: int, world: dict, env: dict, phases: str, max_time: int, report_dir: Path,
                  max_examples: int | None) -> int:
    argv = [
        str(BIN / "schemathesis"), "run", f"http://127.0.0.1:{port}/api/schema/?format=json",
        "--checks", "all", "--phases", phases, "--max-time", str(max_time), "--seed", "20261202",
        "--header", f"Authorization: Bearer {world['token']}", "--suppress-health-check", "all",
        "--request-timeout", "30", "--no-color", "--report", "junit,ndjson", "--report-dir", str(report_dir),
    ]
    if phases == "stateful":
        # The stateful phase chains requests across records (an inquiry made in one step, answered in the next; an
        # incident linked to the one in the path), so it meets rules between records that no schema and no
        # case_aim can state (an answer before its question, a link to itself) and gets their honest 400s. It
        # looks for what chains break: server errors, answers that contradict the schema. Whether a valid
        # request is accepted is checked by the coverage and fuzzing phases, on aimed cases.
        argv += ["--exclude-checks", "positive_data_acceptance"]
    if max_examples is not None:
        # A fixed number of cases from a fixed seed: the same run each time, so CI is not a lottery over
        # how far a time budget got on a loaded machine. --max-time still bounds it.
        argv += ["--max-examples", str(max_examples), "--generation-deterministic"]
    for operation_id in EXCLUDED:
        argv += ["--exclude-operation-id", operation_id]
    run_env = dict(env, SCHEMATHESIS_HOOKS="tests.api.contract.hooks",
                   GOLDEN_HOURS_CONTRACT_WORLD=json.dumps(world))
    return subprocess.run(argv, cwd=ROOT, env=run_env, check=False).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-time", type=int, default=120, help="time budget for the whole run, in seconds")
    parser.add_argument("--phases", default=PHASES)
    parser.add_argument("--max-examples", type=int, default=None,
                        help="cases per operation, drawn deterministically (default: as many as the time allows)")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "var" / "contract")
    args = parser.parse_args()
    args.report_dir.mkdir(parents=True, exist_ok=True)
    sys.exit(contract_run(max_time=args.max_time, phases=args.phases, report_dir=args.report_dir.resolve(),
                          max_examples=args.max_examples))


if __name__ == "__main__":
    main()
