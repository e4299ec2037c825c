import io
import json
import subprocess
from datetime import timedelta

import jsonschema
import pypdf
import pytest
from django.utils import translation

from crisis.reports import renderers
from crisis.reports.assembly import json_ready, report_assemble
from crisis.reports.renderers import SCHEMA_PATH, render_html, render_json, render_markdown, render_pdf
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(hand_built):
    return report_assemble(incident=hand_built, now=T0 + timedelta(days=2))


def schema_validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_it_exports_json_that_matches_the_published_schema(report):
    document = json.loads(render_json(report))
    assert list(schema_validator().iter_errors(document)) == []


def test_it_leaves_paging_timers_out_of_the_deadlines(hand_built, people):
    from crisis.models import DeadlineKind
    from crisis.oncall.models import TargetKind
    from crisis.oncall.services.pages import page_trigger
    from tests.oncall.factories import policy_with

    policy_with(hand_built.organization, [
        {"target_kind": TargetKind.USER, "user": people["responder"], "wait_seconds": 300},
        {"target_kind": TargetKind.USER, "user": people["commander"], "wait_seconds": 300}])
    # Paged while it was still open (nobody is paged about a resolved incident).
    hand_built.status, hand_built.resolved_at = "active", None
    hand_built.save(update_fields=["status", "resolved_at"])
    page_trigger(incident=hand_built, actor=people["commander"], title="Legal sign-off needed")
    assert hand_built.deadlines.filter(kind=DeadlineKind.ESCALATION).exists()
    report = report_assemble(incident=hand_built, now=T0 + timedelta(days=2))
    assert {d["kind"] for d in report["deadlines"]} <= {"playbook", "surge"}
    assert list(schema_validator().iter_errors(json.loads(render_json(report)))) == []


def test_it_rejects_a_document_missing_a_required_figure(report):
    document = json_ready(report)
    del document["figures"]["total_breached_minutes"]
    assert not schema_validator().is_valid(document)


def test_it_versions_the_json_export(report):
    assert json.loads(render_json(report))["schema_version"] == "1.3"


def test_it_writes_the_figures_into_markdown(report):
    assert "| Total breached minutes | 3 h 5 min |" in render_markdown(report)


def test_it_writes_each_statement_effect_into_markdown(report):
    assert "| S1 | Holding | 2026-11-25 03:10 | 75.0% → 55.0% | -20.0 pp | 9,000 → 4,000 | -5,000 (-55.6%) |" \
        in render_markdown(report)


def test_it_draws_the_sentiment_chart_as_inline_svg(report):
    html = render_html(report)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<polyline" in html


def test_it_shows_times_in_the_incident_zone(report):
    # The holding statement went out at 19:10 UTC, which is 03:10 the next day in Shanghai.
    assert "2026-11-25 03:10" in render_html(report)


def _has_cjk_font() -> bool:
    try:
        listing = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(listing.strip())


@pytest.mark.skipif(not _has_cjk_font(), reason="no CJK font: apt-get install fonts-noto-cjk (.ci/run does)")
def test_it_renders_chinese_text_into_the_pdf(report):
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(report)))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "我们已关注到视频，正在核实，今晚公布结果。" in text and "S7 电池冒烟" in text


def test_it_translates_the_report_into_simplified_chinese(report):
    with translation.override("zh-hans"):
        markdown = render_markdown(report)
    assert markdown.startswith("# 复盘报告")


def test_it_attaches_the_full_timeline_to_the_pdf_of_a_long_incident(report, monkeypatch):
    monkeypatch.setattr(renderers, "PDF_TIMELINE_LIMIT", 3)
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(report)))
    attached = pdf.attachments["timeline.md"][0].decode("utf-8")
    assert attached.count("\n- ") == len(report["timeline"]["events"])


def test_it_loads_nothing_but_inline_data_into_the_pdf():
    fetcher = renderers.pdf_url_fetcher()
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


def test_it_prints_typed_markup_as_text_and_fetches_nothing(hand_built, people, monkeypatch):
    from weasyprint.urls import URLFetcher

    from crisis.services.statements import statement_create

    asked = []
    real_fetch = URLFetcher.fetch
    monkeypatch.setattr(URLFetcher, "fetch",
                        lambda self, url, *a, **kw: asked.append(url) or real_fetch(self, url, *a, **kw))
    statement_create(incident=hand_built, actor=people["responder"], channel="weibo", kind="holding",
                     body='<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/x.css">')
    pdf = render_pdf(report_assemble(incident=hand_built, now=T0 + timedelta(days=2)))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "file:///etc/passwd" in text  # printed as the words that were typed
    assert [url for url in asked if not url.startswith("data:")] == []
