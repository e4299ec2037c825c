"""The post-mortem's sentiment figure: the room's chart, with its markers, for every measure recorded."""

import io
import re
from datetime import timedelta

import pypdf
import pytest

from crisis.chart_measures import MEASURES_BY_KEY
from crisis.models import Statement
from crisis.reports.assembly import report_assemble
from crisis.reports.renderers import chart_breaches, document_context, render_html, render_pdf
from crisis.reports.svg import BREACH, OFF_SCRIPT, measures_charted, sentiment_svg
from tests.deadline_helpers import T0
from tests.factories import SentimentCheckpointFactory

from .conftest import t

pytestmark = pytest.mark.django_db
LATER = T0 + timedelta(days=2)


def _point(minutes, **values):
    fields = dict.fromkeys(("negative_share", "mention_volume", "follower_change", "trending_rank",
                            "share_price_move_pct", "livestream_comment_count", "livestream_negative_share",
                            "hot_search_minutes"))
    return {"measured_at": t(minutes), **fields, **values}


@pytest.fixture
def report(hand_built):
    # The full statement stands in for a post nobody approved (how those are logged is another feature's).
    Statement.objects.filter(incident=hand_built, title="Full").update(is_off_script=True)
    SentimentCheckpointFactory(incident=hand_built, measured_at=t(110), recorded_at=t(111), source="Douyin live",
                               livestream_comment_count=30000, livestream_negative_share=0.7, hot_search_minutes=50)
    return report_assemble(incident=hand_built, now=LATER)


def test_the_report_carries_the_new_measures_and_the_off_script_flag(report):
    point = next(p for p in report["sentiment"]["points"] if p["source"] == "Douyin live")
    assert (point["livestream_comment_count"], point["livestream_negative_share"], point["hot_search_minutes"]) \
        == (30000, 0.7, 50)
    assert [(s["title"], s["is_off_script"]) for s in report["statement_effects"]] == [("Holding", False),
                                                                                       ("Full", True)]


def test_it_marks_the_breached_deadlines_at_the_time_they_fell_due(report):
    assert [(b["due_at"], b["name"]) for b in chart_breaches(report)] == [
        (t(60), "Holding statement"), (t(60), "Sentiment cadence"), (t(240), "Full statement"),
        (t(480), "Public update")]


def test_the_figure_marks_off_script_posts_and_breaches_with_legend_entries(report):
    html = str(document_context(report)["sentiment_svg"])
    assert html.count(f'fill="{OFF_SCRIPT}"/>') == 1  # the diamond of the one off-script post
    assert html.count(f'fill="{BREACH}"/>') == 4  # a triangle per breach
    assert "off-script post" in html and "deadline breached" in html and "statement published" in html


def test_the_figure_reads_the_time_in_the_incidents_zone(report):
    # T0 is 02:00 in Shanghai; the axis counts hours from the signal and shows the wall clock under each.
    html = str(document_context(report)["sentiment_svg"])
    assert ">T+0h<" in html and ">02:00<" in html


def test_each_other_measure_recorded_gets_its_own_figure(report):
    keys = [m.key for m in measures_charted(report["sentiment"]["points"])]
    assert keys == ["volume", "followers", "trending", "share_price", "livestream_negative", "livestream_comments",
                    "hot_search"]
    html = render_html(report)
    assert "Minutes on hot search with statements overlaid" in html
    assert html.count("<svg") >= 1 + len(keys)


def test_a_measure_nobody_recorded_gets_no_figure():
    assert measures_charted([_point(10, negative_share=0.3)]) == []


@pytest.mark.parametrize("count", [0, 1, 3000])
def test_the_figure_draws_none_one_and_three_thousand_points(count):
    points = [_point(i * 0.1, hot_search_minutes=i % 200, negative_share=0.5) for i in range(count)]
    for measure in (MEASURES_BY_KEY["negative"], MEASURES_BY_KEY["hot_search"]):
        svg = str(sentiment_svg(points=points, statements=[], start=T0, zone="Asia/Shanghai", measure=measure))
        assert svg.startswith("<svg")
        assert svg.count("<circle") == count


def test_a_measure_without_values_still_draws_the_markers():
    svg = str(sentiment_svg(points=[_point(10, negative_share=0.3)], statements=[
        {"published_at": t(20), "is_off_script": True}], breaches=[{"due_at": t(60), "name": "Holding"}],
        start=T0, measure=MEASURES_BY_KEY["followers"]))
    assert "No checkpoint has a value for this measure." in svg
    assert f'fill="{OFF_SCRIPT}"' in svg and f'fill="{BREACH}"' in svg


def test_a_figure_from_an_older_report_without_the_new_fields_still_draws():
    old = [{"measured_at": t(10), "negative_share": 0.3, "mention_volume": 100}]
    assert "<polyline" not in str(sentiment_svg(points=old, statements=[{"published_at": t(20)}], start=T0))
    assert measures_charted(old) == [MEASURES_BY_KEY["volume"]]


def test_a_late_entered_reading_sits_at_the_time_it_was_measured():
    # Measured at T+60 and entered hours later: it sits where T+60 is, half way along a two-hour axis.
    svg = str(sentiment_svg(points=[_point(0, negative_share=0.2), _point(60, negative_share=0.4),
                                    _point(120, negative_share=0.3)], statements=[], start=T0))
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert xs[1] == pytest.approx((xs[0] + xs[2]) / 2)


def test_the_pdf_lays_out_the_figures_with_their_markers(report):
    pdf = pypdf.PdfReader(io.BytesIO(render_pdf(report)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "off-script post" in text
    assert "deadline breached" in text
    assert text.count("T+0h") == 1 + len(measures_charted(report["sentiment"]["points"]))  # an axis per figure
