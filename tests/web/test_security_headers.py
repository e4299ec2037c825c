"""Headers: a strict Content-Security-Policy the desk's own pages live within, and no caching of signed-in pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crisis.demo.seed import demo_seed
from crisis.models import Statement

pytestmark = pytest.mark.django_db

INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
SCRIPT_OR_STYLE_TAG = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)


@pytest.fixture
def desk():
    """The demo's organization, signed in as its commander, and the pages a crisis desk walks through."""
    incidents = demo_seed()
    incident = next(iter(incidents.values()))
    statement = Statement.objects.filter(incident=incident).first()
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo-commander"))
    pages = [
        reverse("crisis:home"), reverse("crisis:incident-open"),
        reverse("crisis:incident-room", args=[incident.pk]), reverse("crisis:incident-clock", args=[incident.pk]),
        reverse("crisis:incident-timeline", args=[incident.pk]), reverse("crisis:incident-chart", args=[incident.pk]),
        reverse("crisis:sentiment-entry", args=[incident.pk]), reverse("crisis:statement-new", args=[incident.pk]),
        reverse("crisis:statement-detail", args=[statement.pk]), reverse("crisis:playbooks"),
        reverse("crisis:oncall-schedule"), reverse("oncall_desk:sent"), reverse("oncall_desk:my-notifications"),
        reverse("reports:report", args=[incident.pk]), reverse("reports:action-items"), reverse("reports:analytics"),
    ]
    return client, pages


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_it_sends_a_strict_policy_with_every_desk_page(desk):
    client, pages = desk
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        for directive in ("script-src", "style-src", "default-src"):
            assert "'unsafe-inline'" not in policy.get(directive, []), (url, directive)
            assert "'unsafe-eval'" not in policy.get(directive, []), (url, directive)
        assert policy["default-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        assert policy["base-uri"] == ["'none'"], url


def test_it_sends_the_policy_with_the_sign_in_page():
    response = Client().get(reverse("login"))
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_it_leaves_no_inline_script_handler_or_style_attribute_in_the_pages(desk):
    client, pages = desk
    for url in [*pages, reverse("login")]:
        response = client.get(url) if url != reverse("login") else Client().get(url)
        html = response.content.decode()
        assert not INLINE_HANDLER.findall(html), url
        assert not STYLE_ATTRIBUTE.findall(html), url
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        for tag, attributes in SCRIPT_OR_STYLE_TAG.findall(html):
            if tag.lower() == "script" and "src=" in attributes:
                continue
            assert nonce and f'nonce="{nonce.group(1)}"' in attributes, (url, tag, attributes)


def test_it_turns_off_htmx_inline_indicator_styles_and_eval(desk):
    client, _pages = desk
    html = client.get(reverse("crisis:home")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html)
    assert config, "htmx would inject an inline <style> and evaluate trigger filters"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)


def test_it_lets_no_cache_keep_a_signed_in_page(desk):
    client, pages = desk
    for url in pages:
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_it_marks_signed_in_api_answers_not_to_be_stored(desk):
    client, _pages = desk
    response = client.get("/api/v1/incidents/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]



def test_it_has_no_inline_handler_script_or_style_attribute_in_any_template():
    from tests.conftest import ROOT

    # The stored post-mortem document is a file of its own, served with a policy that allows no script at all.
    standalone = {"reports/document.html"}
    offending = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        html = path.read_text(encoding="utf-8")
        if INLINE_HANDLER.search(html) or STYLE_ATTRIBUTE.search(html):
            offending.append(name)
        for tag, attributes in SCRIPT_OR_STYLE_TAG.findall(html):
            if "src=" not in attributes and "csp_nonce" not in attributes and name not in standalone:
                offending.append(f"{name}: <{tag}{attributes}>")
    assert offending == []


def test_it_serves_the_stored_html_report_with_a_policy_that_runs_no_script(desk, tmp_path, settings):
    from django.core.files.base import ContentFile

    from crisis.reports.models import ReportFile, ReportStatus

    settings.GOLDEN_HOURS_REPORT_ROOT = tmp_path
    client, _pages = desk
    incident = Statement.objects.first().incident
    report = ReportFile.objects.create(incident=incident, format="html", number=1, status=ReportStatus.DONE,
                                       requested_at=timezone.now())
    report.file.save("report.html", ContentFile(b"<style>h1{color:red}</style><h1>Review</h1>"))
    response = client.get(reverse("reports:download", args=[incident.pk, "html"]))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'none'"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert "script-src" not in policy
    assert "no-store" in response["Cache-Control"]
