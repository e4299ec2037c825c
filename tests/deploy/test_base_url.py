"""Every link in a page or email opens: production refuses to start without GOLDEN_HOURS_BASE_URL, and bin/up
derives it from HOST and PORT."""

import importlib.util
import ipaddress

import pytest

from tests.conftest import ROOT
from tests.test_settings import import_settings

PRODUCTION = {"DJANGO_SECRET_KEY": "s3cret", "DJANGO_ALLOWED_HOSTS": "crisis.example.com"}


def test_it_refuses_to_start_production_without_a_base_url():
    result = import_settings("config.settings.production", GOLDEN_HOURS_BASE_URL=None, **PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured: GOLDEN_HOURS_BASE_URL must be set in production" in result.stderr
    assert "acknowledge links" in result.stderr


def test_it_refuses_a_base_url_that_is_not_an_http_address():
    result = import_settings("config.settings.production", GOLDEN_HOURS_BASE_URL="crisis.example.com", **PRODUCTION)

    assert "ImproperlyConfigured: GOLDEN_HOURS_BASE_URL" in result.stderr


def test_it_builds_links_from_the_base_url_in_production():
    show = "s.GOLDEN_HOURS_BASE_URL"
    result = import_settings("config.settings.production", show=show,
                             GOLDEN_HOURS_BASE_URL="https://crisis.example.com", **PRODUCTION)

    assert result.stdout.strip() == "https://crisis.example.com", result.stderr


def test_it_keeps_the_development_default_outside_production():
    result = import_settings("config.settings.local", show="s.GOLDEN_HOURS_BASE_URL", GOLDEN_HOURS_BASE_URL=None)

    assert result.stdout.strip() == "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def up():
    spec = importlib.util.spec_from_file_location("golden_hours_up", ROOT / "scripts" / "up.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_derives_the_base_url_from_host_and_port_in_bin_up(up):
    assert up.base_url("127.0.0.1", "8000") == "http://127.0.0.1:8000"
    assert up.base_url("127.0.0.1", "8080") == "http://127.0.0.1:8080"
    assert up.base_url("192.168.1.20", "8080") == "http://192.168.1.20:8080"
    assert up.base_url("localhost", "9000") == "http://localhost:9000"


def test_it_brackets_an_ipv6_host_in_bin_up(up):
    assert up.base_url("::1", "8000") == "http://[::1]:8000"


def test_it_links_to_this_machines_address_when_bin_up_listens_on_every_interface(up):
    url = up.base_url("0.0.0.0", "8080")
    host = url.removeprefix("http://").removesuffix(":8080")

    # Not the wildcard, which opens nowhere from a phone, but an address of this machine (its LAN one when it has
    # a route out, else loopback).
    assert not ipaddress.ip_address(host).is_unspecified
    assert up.base_url("", "8080").endswith(":8080")

