"""The room's sentiment chart keeps its labels readable: few enough time labels that large type fits."""

import zoneinfo
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from crisis.web.chart import MAX_TIME_TICKS, sentiment_chart

START = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def _chart(hours: float, points: int = 2):
    checkpoints = [SimpleNamespace(measured_at=START + timedelta(hours=hours) * i / max(points - 1, 1),
                                   negative_share=0.3, mention_volume=1200, source="Weibo") for i in range(points)]
    return sentiment_chart(checkpoints=checkpoints, publications=[], start=START, end=START + timedelta(hours=hours),
                           local=lambda m: m)


@pytest.mark.parametrize("hours", [0.25, 1, 3, 8, 30, 24 * 6, 24 * 40])
def test_it_labels_the_time_axis_with_at_most_six_spaced_labels(hours):
    ticks = _chart(hours).time_ticks
    assert 2 <= len(ticks) <= MAX_TIME_TICKS
    gaps = [b.position - a.position for a, b in zip(ticks, ticks[1:], strict=False)]
    # 18-unit "HH:MM" is about 50 units wide: a phone, which hides every other label, has twice the room.
    assert min(gaps) * 2 >= 60


def test_it_marks_every_other_time_label_as_minor():
    assert [t.is_minor for t in _chart(3).time_ticks][:4] == [False, True, False, True]


def test_it_renders_the_minor_class_on_alternate_time_labels(rf):
    html = render_to_string("crisis/partials/sentiment_chart.html",
                            {"chart": _chart(3), "incident": SimpleNamespace(pk=1)}, request=rf.get("/"))
    assert html.count('class="time-tick minor"') == len(_chart(3).time_ticks) // 2
    assert 'class="time-tick"' in html


def test_it_renders_one_checkpoint_and_a_week_of_three_hundred(rf):
    for chart in (_chart(1, points=1), _chart(24 * 7, points=300)):
        html = render_to_string("crisis/partials/sentiment_chart.html",
                                {"chart": chart, "incident": SimpleNamespace(pk=1)}, request=rf.get("/"))
        assert html.count("<circle") == len(chart.points)


def test_it_puts_time_labels_on_round_wall_clock_times_in_the_incidents_zone():
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")  # UTC+5:30: round in UTC would read 05:30, 06:30 ...
    start = datetime(2026, 12, 2, 3, 7, tzinfo=UTC)
    checkpoints = [SimpleNamespace(measured_at=start + timedelta(hours=3), negative_share=0.3, mention_volume=None,
                                   source="Weibo")]
    chart = sentiment_chart(checkpoints=checkpoints, publications=[], start=start, end=start + timedelta(hours=3),
                            local=lambda m: m.astimezone(kolkata))
    assert [t.label for t in chart.time_ticks] == ["09:00", "10:00", "11:00"]
    assert chart.time_ticks[0].position > chart.left  # 08:37 is where the axis starts; 09:00 is a little in
