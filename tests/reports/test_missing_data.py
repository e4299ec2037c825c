"""Every renderer over the incidents a post-mortem meets in real life: nothing measured, nothing said,
one statement with no reading after it, a crisis entered eight months later, the same kind of crisis
loaded through the import, and a long timeline.

The page is the one people open (a 500 there was the bug); HTML, Markdown and PDF are the generated
files, JSON the export. Each case names one sentence each human renderer must show, so a renderer
that drops the section fails here, not only one that crashes.
"""

import io
import json
import subprocess

import pypdf
import pytest
from django.urls import reverse

from crisis.reports.assembly import report_assemble
from crisis.reports.renderers import render_html, render_json, render_markdown, render_pdf

pytestmark = pytest.mark.django_db

CASES = {
    "no_checkpoints": "no earlier measurement · no measurement in the following hour",
    "no_statements": "No public statement was published.",
    "one_statement": "25 min before · no measurement in the following hour",
    "retrospective": "no pages were sent: entered as a record of the past",
    # The imported night crisis was acknowledged at T+20, due at T+15.
    "imported": "Met late by 5 min",
    "three_thousand_events": "Repost wave #2999",
}


def _has_cjk_font() -> bool:
    try:
        listing = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(listing.strip())


def words(text: str) -> str:
    """Whitespace folded, as table cells wrap differently in each format."""
    return " ".join(text.split())


def pdf_text(report: dict) -> str:
    """The laid-out pages and any attached file (a long timeline is attached, not laid out)."""
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(report)))
    attached = [content.decode("utf-8") for contents in pdf.attachments.values() for content in contents]
    return "\n".join([page.extract_text() for page in pdf.pages] + attached)


def page_text(incident, people, client_for) -> str:
    response = client_for(people["viewer"]).get(reverse("reports:report", kwargs={"pk": incident.pk}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("case", CASES)
def test_it_shows_the_report_page(case, request, people, client_for):
    incident = request.getfixturevalue(case)
    assert CASES[case] in words(page_text(incident, people, client_for))


@pytest.mark.parametrize("case", CASES)
def test_it_renders_html(case, request):
    incident = request.getfixturevalue(case)
    assert CASES[case] in words(render_html(report_assemble(incident=incident)))


@pytest.mark.parametrize("case", CASES)
def test_it_renders_markdown(case, request):
    incident = request.getfixturevalue(case)
    assert CASES[case] in words(render_markdown(report_assemble(incident=incident)))


@pytest.mark.skipif(not _has_cjk_font(), reason="no CJK font: apt-get install fonts-noto-cjk (.ci/run does)")
@pytest.mark.parametrize("case", CASES)
def test_it_renders_pdf(case, request):
    incident = request.getfixturevalue(case)
    assert CASES[case] in words(pdf_text(report_assemble(incident=incident)))


def _json(incident) -> dict:
    # render_json validates against the published schema and raises if the document does not match.
    return json.loads(render_json(report_assemble(incident=incident)))


def test_it_exports_json_with_no_checkpoints(no_checkpoints):
    effects = _json(no_checkpoints)["statement_effects"]
    assert [(e["before"], e["after"], e["nearest_after"], e["has_measurement_in_window"]) for e in effects] == [
        (None, None, None, False), (None, None, None, False)]


def test_it_exports_json_with_no_statements(no_statements):
    document = _json(no_statements)
    assert (document["statements"], document["statement_effects"], len(document["sentiment"]["points"])) == (
        [], [], 3)


def test_it_exports_json_with_one_statement(one_statement):
    (effect,) = _json(one_statement)["statement_effects"]
    assert (effect["before"]["negative_share"], effect["before_minutes_earlier"], effect["after"],
            effect["nearest_after"]) == (0.4, 25, None, None)


def test_it_exports_json_for_a_retrospective_incident(retrospective):
    document = _json(retrospective)
    assert (document["incident"]["is_retrospective"], document["figures"]["pages"]["sent"],
            document["figures"]["passed_occurrences_expected"]) == (True, 0, 6)


def test_it_exports_json_for_an_imported_crisis(imported):
    document = _json(imported)
    assert (document["incident"]["is_retrospective"], document["figures"]["pages"]["sent"],
            document["figures"]["deadlines_met_late"]) == (True, 0, 2)


def test_it_exports_json_with_3000_timeline_events(three_thousand_events):
    events = _json(three_thousand_events)["timeline"]["events"]
    assert (len(events), events[-1]["body"]) == (3000, "Repost wave #2999")


def test_it_renders_readings_that_measured_only_part_of_the_picture(org, people):
    from tests.factories import IncidentFactory, SentimentCheckpointFactory, StatementFactory

    from .conftest import t

    incident = IncidentFactory(organization=org, first_public_signal_at=t(0), detected_at=t(5))
    # Volume without shares before; shares without volume after; a statement with no text on record.
    SentimentCheckpointFactory(incident=incident, measured_at=t(10), recorded_at=t(10), negative_share=None,
                               mention_volume=500)
    SentimentCheckpointFactory(incident=incident, measured_at=t(40), recorded_at=t(40), negative_share=0.5,
                               mention_volume=None)
    StatementFactory(incident=incident, kind="holding", channel="weibo", status="published", published_at=t(20))
    report = report_assemble(incident=incident)
    rendered = [render_html(report), render_markdown(report), render_json(report)]
    assert all("– → 50.0%" in text for text in rendered[:2]) and '"negative_share_change": null' in rendered[2]
