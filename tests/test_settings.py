import os
import subprocess
import sys

from django.conf import settings

from tests.conftest import ROOT


def import_settings(module: str, *, show: str = "", **env: str | None) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh interpreter, with ``env`` applied (None unsets); prints DEBUG and the
    database's engine and name, or the Python expression ``show`` over the module ``s``."""
    environment = dict(os.environ)
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    shown = show or "s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']"
    code = f"import {module} as s; print({shown})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=60)


def test_it_refuses_to_start_production_without_a_secret_key():
    result = import_settings("config.settings.production", DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS="example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_it_refuses_to_start_production_with_an_empty_secret_key():
    result = import_settings("config.settings.production", DJANGO_SECRET_KEY="", DJANGO_ALLOWED_HOSTS="example.com")
    assert "ImproperlyConfigured" in result.stderr


def test_it_refuses_to_start_production_without_allowed_hosts():
    result = import_settings("config.settings.production", DJANGO_SECRET_KEY="s3cret", DJANGO_ALLOWED_HOSTS=None)
    assert "ImproperlyConfigured" in result.stderr


def test_it_starts_production_with_a_secret_key_and_hosts():
    result = import_settings("config.settings.production", DJANGO_SECRET_KEY="s3cret",
                             DJANGO_ALLOWED_HOSTS="crisis.example.com", GOLDEN_HOURS_BASE_URL="https://crisis.example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False ")


def test_it_counts_production_api_rates_in_redis_so_every_web_worker_shares_one_budget():
    show = "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION']"
    base = {"DJANGO_SECRET_KEY": "s3cret", "DJANGO_ALLOWED_HOSTS": "crisis.example.com",
            "GOLDEN_HOURS_BASE_URL": "https://crisis.example.com", "REDIS_URL": "redis://redis.example.com:6379/0"}
    shared = import_settings("config.settings.production", show=show, CACHE_URL=None, **base)
    assert shared.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://redis.example.com:6379/0"]
    chosen = import_settings("config.settings.production", show=show, CACHE_URL="redis://cache.example.com:6380/2",
                             **base)
    assert chosen.stdout.split()[1] == "redis://cache.example.com:6380/2"
    local = import_settings("config.settings.local", show=show, CACHE_URL=None)
    assert local.stdout.split()[0] == "django.core.cache.backends.locmem.LocMemCache"


def test_it_defaults_to_a_sqlite_file_under_var():
    result = import_settings("config.settings.local", DATABASE_URL=None)
    assert result.returncode == 0, result.stderr
    _debug, engine, name = result.stdout.split()
    assert (engine, name) == ("django.db.backends.sqlite3", str(ROOT / "var" / "golden_hours.sqlite3"))


def test_it_reads_the_database_from_database_url():
    result = import_settings("config.settings.local", DATABASE_URL="postgres://crisis@db.example.com:5432/golden")
    assert result.stdout.split()[1:] == ["django.db.backends.postgresql", "golden"]


def test_it_stores_time_in_utc():
    assert (settings.USE_TZ, settings.TIME_ZONE) == (True, "UTC")


def test_it_shows_time_in_asia_shanghai_by_default():
    assert settings.GOLDEN_HOURS_DEFAULT_TIME_ZONE == "Asia/Shanghai"


def test_it_speaks_english_and_simplified_chinese():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "zh-hans"]
    # Django's LocaleMiddleware, extended to read the reader's language on unprefixed URLs too.
    assert "crisis.web.locale.ReaderLocaleMiddleware" in settings.MIDDLEWARE


def test_it_sends_celery_tasks_through_redis():
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CELERY_BROKER_URL.startswith("redis://")


PRODUCTION = {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DATABASE_URL": None,
              "DJANGO_SECRET_KEY": "kO3v-production-like-secret-key-of-fifty-characters-or-more-9fQ",
              "DJANGO_ALLOWED_HOSTS": "crisis.example.com", "GOLDEN_HOURS_BASE_URL": "https://crisis.example.com",
              # The browser tests set it for Playwright's event loop in this process; production never does.
              "DJANGO_ALLOW_ASYNC_UNSAFE": None}


def deploy_check(**env: str | None) -> subprocess.CompletedProcess:
    """``manage.py check --deploy --fail-level WARNING`` under production settings, every tag but none: the API
    schema's own check (drf-spectacular's, which has no tag) is held by ``spectacular --validate`` instead."""
    from django.core.checks.registry import registry

    tags = [arg for tag in sorted(registry.tags_available(deployment_checks=True)) for arg in ("--tag", tag)]
    environment = dict(os.environ)
    for name, value in {**PRODUCTION, **env}.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", *tags],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_it_passes_the_deploy_check_under_production_settings():
    result = deploy_check()
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_redirects_to_https_and_sends_hsts_in_production_by_default():
    show = "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER"
    env = {k: v for k, v in PRODUCTION.items() if k.startswith(("DJANGO_", "GOLDEN_HOURS_"))}
    result = import_settings("config.settings.production", show=show, **env)
    assert result.stdout.strip() == "True True ('HTTP_X_FORWARDED_PROTO', 'https')", result.stderr


def test_it_takes_the_tls_settings_from_the_environment():
    show = "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER"
    env = {k: v for k, v in PRODUCTION.items() if k.startswith(("DJANGO_", "GOLDEN_HOURS_"))}
    result = import_settings("config.settings.production", show=show, DJANGO_SECURE_SSL_REDIRECT="false",
                             DJANGO_SECURE_HSTS_SECONDS="31536000", DJANGO_SECURE_PROXY_SSL_HEADER="", **env)
    assert result.stdout.strip() == "False 31536000 None", result.stderr


def test_it_never_redirects_the_development_server_to_https():
    result = import_settings("config.settings.local", show="s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS")
    assert result.stdout.strip() == "False 0", result.stderr
