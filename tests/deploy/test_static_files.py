"""Under production settings the web process serves the desk's static files itself (WhiteNoise): hashed names,
compressed copies, cached for a year; pages keep their Content-Security-Policy."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # collectstatic post-processes ~900 files

PRODUCTION = {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "static-files-test-only",
              "DJANGO_ALLOWED_HOSTS": "crisis.example.com", "GOLDEN_HOURS_BASE_URL": "https://crisis.example.com"}

# Requests through Django's test client inside a process on production settings, as the TLS proxy sends them.
FETCH = """
import json, sys
import django
django.setup()
from django.templatetags.static import static
from django.test import Client
client = Client(HTTP_HOST="crisis.example.com", HTTP_X_FORWARDED_PROTO="https")
answers = {}
for key, path, headers in json.loads(sys.argv[1]):
    path = static(path[len("static:"):]) if path.startswith("static:") else path
    response = client.get(path, headers=headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    answers[key] = {"path": path, "status": response.status_code, "headers": dict(response.headers),
                    "body": body.decode("utf-8", "replace") if key == "page" else len(body)}
print(json.dumps(answers))
"""


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return {**env, **PRODUCTION, **extra}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True,
                   env=production_env(DJANGO_STATIC_ROOT=str(root)), capture_output=True, timeout=300)
    return root


REQUESTS = [
    ("js", "static:crisis/desk.js", {}),
    ("gzip", "static:crisis/desk.css", {"Accept-Encoding": "gzip"}),
    ("plain", "/static/crisis/desk.js", {}),
    ("missing", "/static/crisis/nothing-here.js", {}),
    ("page", "/login/", {}),
]


@pytest.fixture(scope="module")
def answers(static_root, tmp_path_factory) -> dict:
    """Every request of this module, answered by one process (Django starts once)."""
    database = tmp_path_factory.mktemp("db") / "db.sqlite3"
    env = production_env(DJANGO_STATIC_ROOT=str(static_root), DATABASE_URL=f"sqlite:///{database}")
    result = subprocess.run([sys.executable, "-c", FETCH, json.dumps(REQUESTS)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_it_collects_the_desk_script_under_a_hashed_name_with_compressed_copies(static_root):
    hashed = [p.name for p in (static_root / "crisis").glob("desk.*.js")]

    assert len(hashed) == 1 and hashed[0] != "desk.js"
    assert (static_root / "crisis" / f"{hashed[0]}.gz").exists()
    assert (static_root / "staticfiles.json").exists()


def test_it_serves_the_hashed_desk_script_with_a_far_future_cache_header(answers):
    js = answers["js"]

    assert js["path"].startswith("/static/crisis/desk.") and js["path"] != "/static/crisis/desk.js"
    assert js["status"] == 200
    assert js["body"] == (ROOT / "crisis" / "static" / "crisis" / "desk.js").stat().st_size
    cache = js["headers"]["Cache-Control"]
    assert "max-age=315360000" in cache and "immutable" in cache
    assert js["headers"]["Content-Type"].startswith("text/javascript")


def test_it_serves_the_compressed_copy_to_a_browser_that_accepts_it(answers):
    assert answers["gzip"]["status"] == 200
    assert answers["gzip"]["headers"]["Content-Encoding"] == "gzip"
    assert answers["gzip"]["headers"]["Vary"] == "Accept-Encoding"


def test_it_caches_an_unhashed_name_only_briefly(answers):
    assert answers["plain"]["status"] == 200
    assert "immutable" not in answers["plain"]["headers"]["Cache-Control"]


def test_it_answers_404_for_a_static_file_that_does_not_exist(answers):
    assert answers["missing"]["status"] == 404


def test_it_keeps_the_desk_pages_csp_and_links_them_to_the_hashed_files(static_root, answers):
    page = answers["page"]
    csp = page["headers"]["Content-Security-Policy"]

    assert page["status"] == 200
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "/static/crisis/desk.js" not in page["body"]
    hashed_js = next(p.name for p in (static_root / "crisis").glob("desk.*.js"))
    assert f"/static/crisis/{hashed_js}" in page["body"]
