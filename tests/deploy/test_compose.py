"""The production definitions run the processes of config/processes.py, and nothing else: compose.yaml, the
Dockerfile's default command and the systemd units in deploy/ (docs/deploy.md)."""

import os
import shlex
import shutil
import subprocess

import pytest
import yaml

from config.processes import process_argv
from config.queues import WORKERS
from tests.conftest import ROOT

# compose publishes the container's port to the host's proxy; the units serve the proxy on the same host.
COMPOSE_BIND = "0.0.0.0:8000"
UNITS_BIND = "127.0.0.1:8000"
PROCESSES = ["web", *[f"worker-{worker.name}" for worker in WORKERS], "engine"]
UNIT_OF = {name: f"golden-hours-{name}.service" for name in PROCESSES}
# What compose.yaml interpolates from .env: without them it refuses to start, as it should.
COMPOSE_ENV = {"DJANGO_SECRET_KEY": "compose-config-only", "DJANGO_ALLOWED_HOSTS": "crisis.example.com",
               "GOLDEN_HOURS_BASE_URL": "https://crisis.example.com", "POSTGRES_PASSWORD": "compose-config-only"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def exec_start(unit: str) -> list[str]:
    """The ExecStart command line of a unit, as systemd runs it (``%%`` is systemd's escape for ``%``)."""
    lines = [line for line in (ROOT / "deploy" / unit).read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1, f"{unit} must have exactly one ExecStart"
    return [arg.replace("%%", "%") for arg in shlex.split(lines[0].removeprefix("ExecStart="))]


def test_it_runs_each_process_in_compose_with_the_command_config_processes_names():
    services = compose()["services"]
    expected = process_argv(bind=COMPOSE_BIND)

    for name in PROCESSES:
        assert services[name]["command"] == ["python", *expected[name]], name


def test_it_runs_no_process_in_compose_that_config_processes_does_not_name():
    apps = {name for name, service in compose()["services"].items() if service.get("build")}

    # migrate runs once before the others start and exits.
    assert apps == {*PROCESSES, "migrate"}


def test_it_starts_the_processes_in_compose_on_postgres_and_redis_once_migrated():
    services = compose()["services"]

    assert {"postgres", "redis"} <= set(services)
    for name in PROCESSES:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert "@postgres:5432/" in services[name]["environment"]["DATABASE_URL"]


def test_it_requires_the_secret_hosts_and_base_url_in_compose_instead_of_defaulting_them():
    environment = compose()["services"]["web"]["environment"]

    for name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "GOLDEN_HOURS_BASE_URL"):
        assert environment[name].startswith(f"${{{name}:?"), name


def test_it_gives_the_image_the_web_as_its_default_command():
    cmd = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]

    assert len(cmd) == 1
    assert yaml.safe_load(cmd[0].removeprefix("CMD ")) == ["python", *process_argv(bind=COMPOSE_BIND)["web"]]


def test_it_builds_the_image_with_the_cjk_font_weasyprint_and_collected_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    for needed in ("fonts-noto-cjk", "libpango-1.0-0", "pip install -r requirements.txt", "collectstatic"):
        assert needed in dockerfile, needed


def test_it_runs_each_process_as_a_systemd_unit_with_the_command_config_processes_names():
    expected = process_argv(bind=UNITS_BIND)

    for name in PROCESSES:
        python, *argv = exec_start(UNIT_OF[name])
        assert python.endswith("/python"), name
        assert argv == expected[name], name


def test_it_starts_every_unit_and_only_those_from_the_target():
    target = (ROOT / "deploy" / "golden-hours.target").read_text()
    wants = next(line for line in target.splitlines() if line.startswith("Wants=")).removeprefix("Wants=").split()
    units = sorted(path.name for path in (ROOT / "deploy").glob("*.service"))

    assert sorted(wants) == units == sorted(UNIT_OF.values())


def test_it_loads_the_same_environment_file_in_every_unit():
    for unit in UNIT_OF.values():
        assert "EnvironmentFile=/etc/golden-hours/golden-hours.env" in (ROOT / "deploy" / unit).read_text()


def docker_compose() -> list[str]:
    """Docker's compose plugin, else the standalone docker-compose (Debian's package); skips, saying which is
    missing, where there is neither. ``config`` only reads and checks the file: it builds nothing, pulls nothing
    and needs no Docker engine."""
    if shutil.which("docker") is not None:
        found = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if found.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose") is not None:
        return ["docker-compose"]
    pytest.skip("no docker compose here: " + ("docker is installed but not its compose plugin, nor docker-compose"
                                              if shutil.which("docker") else "no docker, nor docker-compose"))


def compose_config(path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in COMPOSE_ENV}
    return subprocess.run([*docker_compose(), "-f", str(path), "config", "-q"], cwd=ROOT, env={**environment, **env},
                          capture_output=True, text=True, timeout=60)


def test_it_is_a_valid_compose_file_by_docker_compose_config():
    result = compose_config(ROOT / "compose.yaml", **COMPOSE_ENV)

    assert result.returncode == 0, result.stderr


def test_it_refuses_to_start_the_compose_stack_without_the_base_url():
    result = compose_config(ROOT / "compose.yaml", **{k: v for k, v in COMPOSE_ENV.items()
                                                      if k != "GOLDEN_HOURS_BASE_URL"})

    assert result.returncode != 0
    assert "set GOLDEN_HOURS_BASE_URL" in result.stderr


def test_it_would_notice_a_broken_compose_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    engine = '    command: ["python", "manage.py", "run_engine"]'
    broken.write_text((ROOT / "compose.yaml").read_text().replace(engine, engine.replace("command", "commands")))
    assert broken.read_text() != (ROOT / "compose.yaml").read_text()

    result = compose_config(broken, **COMPOSE_ENV)

    assert result.returncode != 0
    assert "commands" in result.stderr
