"""The pure pieces behind the pages: the diff, the CSV reader and the chart geometry."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from crisis.web.chart import sentiment_chart, sparkline
from crisis.web.csv_import import csv_preview
from crisis.web.diff import side_by_side


def test_it_diffs_a_one_line_chinese_text_character_by_character():
    rows = side_by_side("我们正在调查。", "我们正在全力调查。")
    assert len(rows) == 1
    assert rows[0].change == "replace"
    assert rows[0].right == "我们正在<ins>全力</ins>调查。"
    assert rows[0].left == "我们正在调查。"


def test_it_escapes_html_in_both_sides_of_a_diff():
    rows = side_by_side("<b>old</b>", "<script>new</script>")
    assert "<script" not in rows[0].right and "<b>" not in rows[0].left
    assert rows[0].right.startswith("&lt;")


def test_it_shows_added_and_removed_lines_on_their_own_side():
    rows = side_by_side("a\nb", "a\nb\nc")
    assert [r.change for r in rows] == ["equal", "equal", "insert"]
    assert rows[-1].right == "<ins>c</ins>"


@pytest.mark.django_db
def test_it_reads_naive_csv_times_in_the_incident_zone():
    preview = csv_preview("measured_at,source,negative_share\n2024-05-01T10:00,Weibo,62%\n", zone="Asia/Shanghai")
    assert preview.is_valid
    assert preview.points[0]["measured_at"] == datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    assert preview.points[0]["negative_share"] == pytest.approx(0.62)


@pytest.mark.django_db
def test_it_numbers_csv_rows_as_a_spreadsheet_does():
    preview = csv_preview("measured_at,source,trending_rank\n2024-05-01T10:00,Weibo,0\n", zone="UTC")
    assert not preview.is_valid
    assert preview.rows[0].number == 2
    assert preview.rows[0].errors == ["trending_rank: Must be at least 1."]


def test_it_rejects_unknown_csv_columns():
    preview = csv_preview("measured_at,source,sentiment\n2024-05-01T10:00,Weibo,bad\n", zone="UTC")
    assert "sentiment" in preview.errors[0]


def test_it_places_statement_markers_and_points_on_the_time_axis():
    start = datetime(2024, 5, 1, tzinfo=UTC)
    checkpoints = [SimpleNamespace(measured_at=start + timedelta(hours=1), negative_share=0.5, mention_volume=1000,
                                   source="Weibo")]
    chart = sentiment_chart(checkpoints=checkpoints, publications=[(start + timedelta(hours=2), "Holding")],
                            start=start, end=start + timedelta(hours=2), local=lambda m: m, negative_threshold=0.6)
    assert chart.points[0].x == pytest.approx(chart.left + (chart.plot_right - chart.left) / 2)
    assert chart.markers[0].x == pytest.approx(chart.plot_right)
    assert chart.threshold < chart.points[0].y  # 60 % sits above 50 % on screen


def test_it_draws_no_sparkline_from_a_single_point():
    assert sparkline([0.4]) == ""
    assert sparkline([0, 1], width=10, height=10) == "0.0,10.0 10.0,0.0"
