"""The room's chart shows the measure a person picks, with statements, off-script posts and breaches marked."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from crisis.chart_measures import CHART_MEASURES, MEASURES_BY_KEY, chart_measure
from crisis.models import Statement
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.statements import statement_record_published
from crisis.timers.sweeper import deadlines_breach_due
from crisis.web.chart import LEFT, PLOT_W, sentiment_chart
from tests.deadline_helpers import T0

START = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
VALUES = {"negative_share": 0.4, "mention_volume": 1200, "follower_change": -5000, "trending_rank": 3,
          "share_price_move_pct": -2.5, "livestream_negative_share": 0.8, "livestream_comment_count": 40000,
          "hot_search_minutes": 95}


def _checkpoint(minutes: float, **values):
    fields = dict.fromkeys(VALUES) | values
    return SimpleNamespace(measured_at=START + timedelta(minutes=minutes), source="Weibo", **fields)


def _chart(checkpoints, measure="negative", **kw):
    return sentiment_chart(checkpoints=checkpoints, publications=kw.pop("publications", []), start=START,
                           end=START + timedelta(hours=2), local=lambda m: m, measure=chart_measure(measure), **kw)


def _html(chart, rf) -> str:
    return render_to_string("crisis/partials/sentiment_chart.html",
                            {"chart": chart, "incident": SimpleNamespace(pk=1)}, request=rf.get("/"))


@pytest.mark.parametrize("measure", CHART_MEASURES, ids=lambda m: m.key)
def test_it_charts_every_measure_one_can_pick(rf, measure):
    chart = _chart([_checkpoint(30, **VALUES), _checkpoint(60, **VALUES)], measure.key)
    html = _html(chart, rf)

    assert len(chart.points) == 2
    assert html.count('class="dot"') == 2
    assert '<polyline class="line"' in html
    assert re.search(rf'aria-current="true">{re.escape(str(measure.label))}<', html)
    assert f'data-measure="{measure.key}"' in html


def test_it_charts_a_measure_with_no_values_with_its_markers_and_says_so(rf):
    chart = _chart([_checkpoint(30, negative_share=0.5)], "hot_search",
                   publications=[(START + timedelta(minutes=40), "Holding")])
    html = _html(chart, rf)

    assert chart.points == []
    assert "No checkpoint has a value for Minutes on hot search yet." in html
    assert html.count('class="marker"') == 1
    assert "<circle" not in html


def test_it_charts_a_measure_with_one_value(rf):
    html = _html(_chart([_checkpoint(30, follower_change=-60000)], "followers"), rf)
    assert html.count('class="dot"') == 1
    assert "<polyline" not in html
    assert "-60,000" in html


def test_it_charts_three_thousand_checkpoints(rf):
    checkpoints = [_checkpoint(i * 0.04, livestream_negative_share=(i % 100) / 100) for i in range(3000)]
    chart = _chart(checkpoints, "livestream_negative")
    assert _html(chart, rf).count('class="dot"') == 3000


def test_it_shows_nothing_but_a_note_before_anything_was_measured(rf):
    html = _html(_chart([], "trending"), rf)
    assert "No sentiment recorded yet." in html
    assert "<svg" not in html


def test_it_puts_trending_rank_one_at_the_top():
    chart = _chart([_checkpoint(30, trending_rank=1), _checkpoint(60, trending_rank=40)], "trending")
    assert chart.points[0].y < chart.points[1].y
    assert chart.value_ticks[-1].label == "#1"


def test_it_draws_a_fall_in_followers_below_zero():
    chart = _chart([_checkpoint(30, follower_change=-5000), _checkpoint(60, follower_change=2000)], "followers")
    zero = next(t.position for t in chart.value_ticks if t.label == "0")
    assert chart.points[0].y > zero > chart.points[1].y


@pytest.mark.parametrize(("measure", "value"), [("followers", -2_400_000), ("livestream_comments", 380_000),
                                               ("share_price", -37.5), ("hot_search", 1_440), ("trending", 4_000)])
def test_it_keeps_axis_labels_short_enough_for_a_phone(measure, value):
    chart = _chart([_checkpoint(30, **{MEASURES_BY_KEY[measure].field: value})], measure)
    assert all(len(tick.label) <= 6 for tick in chart.value_ticks), [tick.label for tick in chart.value_ticks]


def test_it_ends_the_axis_at_zero_when_every_value_is_a_fall():
    chart = _chart([_checkpoint(30, follower_change=-2_400_000)], "followers")
    assert [tick.label for tick in chart.value_ticks] == ["-2.5M", "-1.25M", "0"]


def test_it_writes_each_measure_in_its_own_unit():
    chart = _chart([_checkpoint(30, **VALUES)], "hot_search")
    assert chart.points[0].label.endswith("95 min")
    assert _chart([_checkpoint(30, **VALUES)], "share_price").points[0].label.endswith("-2.5%")


def test_it_shows_volume_bars_only_behind_negative_share():
    checkpoints = [_checkpoint(30, **VALUES)]
    assert len(_chart(checkpoints).volume) == 1
    assert _chart(checkpoints, "livestream_comments").volume == []


def test_an_unknown_measure_shows_the_default():
    assert chart_measure("nonsense") == MEASURES_BY_KEY["negative"]
    assert chart_measure(None) == MEASURES_BY_KEY["negative"]


def test_it_marks_off_script_posts_apart_from_statements_with_a_legend_entry(rf):
    chart = _chart([_checkpoint(30, **VALUES)], publications=[(START + timedelta(minutes=40), "Holding")],
                   off_script=[(START + timedelta(minutes=50), "CEO livestream remark")])
    html = _html(chart, rf)

    assert html.count('class="marker"') == 1
    assert html.count('<g class="off-script">') == 1
    assert "Off-script: 03:50 CEO livestream remark" in html
    assert 'class="legend-off-script"' in html
    assert 'class="legend-statement"' in html


def test_it_marks_deadline_breaches_with_a_legend_entry(rf):
    chart = _chart([_checkpoint(30, **VALUES)], "volume", breaches=[(START + timedelta(minutes=60), "Holding")])
    html = _html(chart, rf)

    assert chart.breaches[0].x == pytest.approx(LEFT + PLOT_W / 2)
    assert html.count('<g class="breach">') == 1
    assert "Deadline breached: 04:00 Holding" in html
    assert 'class="legend-breach"' in html
    assert 'class="legend-off-script"' not in html


def test_it_labels_the_time_axis_in_the_incidents_zone():
    import zoneinfo

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    chart = sentiment_chart(checkpoints=[_checkpoint(60, hot_search_minutes=5)], publications=[], start=START,
                            end=START + timedelta(hours=2), local=lambda m: m.astimezone(shanghai),
                            measure=chart_measure("hot_search"))
    assert [t.label for t in chart.time_ticks][:2] == ["11:00", "11:30"]
    assert chart.points[0].label.startswith("12:00 ")


# ---- In the room -------------------------------------------------------------------------------------------------

@pytest.fixture
def room_incident(incident_at_t0, at, people):
    incident = incident_at_t0()
    at(120)
    return incident


def _measured(incident, people, minutes, source="Weibo", **values):
    return sentiment_checkpoint_record(incident=incident, actor=people["responder"], source=source,
                                       measured_at=T0 + timedelta(minutes=minutes), **values)


@pytest.mark.django_db
def test_a_checkpoint_entered_late_sits_at_the_time_it_was_measured(room_incident, people, client_for):
    # Entered at T0+120 min, measured at T0+60: the chart runs T0 .. T0+120, so it sits half way along.
    _measured(room_incident, people, 60, source="Douyin live", hot_search_minutes=40)
    response = client_for(people["viewer"]).get(reverse("crisis:incident-chart", args=[room_incident.pk]),
                                                {"measure": "hot_search"})

    chart = response.context["chart"]
    assert chart.points[0].x == pytest.approx(LEFT + PLOT_W / 2)
    assert chart.points[0].label.startswith("03:00 Douyin live")  # T0+60 min in Shanghai


@pytest.mark.django_db
def test_the_room_shows_the_measure_in_its_address(room_incident, people, client_for):
    _measured(room_incident, people, 30, trending_rank=4, negative_share=0.5)
    content = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[room_incident.pk]),
                                               {"measure": "trending"}).content.decode()
    assert 'data-measure="trending"' in content
    assert "Weibo: #4" in content


@pytest.mark.django_db
def test_the_live_refresh_keeps_the_measure_the_page_shows(room_incident, people, client_for):
    _measured(room_incident, people, 30, livestream_comment_count=900)
    room_url = reverse("crisis:incident-room", args=[room_incident.pk])
    # The poll asks for panels by name only; htmx tells which page it came from, measure and all.
    response = client_for(people["viewer"]).get(
        reverse("crisis:incident-panels", args=[room_incident.pk]), {"panel": "sentiment"},
        HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{room_url}?measure=livestream_comments")
    content = response.content.decode()
    assert 'data-measure="livestream_comments"' in content
    assert "Weibo: 900" in content


@pytest.mark.django_db
def test_the_room_marks_off_script_posts_and_breaches(room_incident, people, client_for):
    _measured(room_incident, people, 30, negative_share=0.5)
    statement_record_published(incident=room_incident, actor=people["commander"], channel="weibo", kind="holding",
                               body="声明", published_at=T0 + timedelta(minutes=100))
    remark = statement_record_published(incident=room_incident, actor=people["commander"], channel="douyin",
                                        kind="update", body="直播里说的话", published_at=T0 + timedelta(minutes=90))
    # How off-script posts are logged is another feature's; the chart only reads the flag.
    Statement.objects.filter(pk=remark.pk).update(is_off_script=True)
    deadlines_breach_due(now=T0 + timedelta(minutes=120))
    chart = client_for(people["viewer"]).get(reverse("crisis:incident-chart", args=[room_incident.pk])).context["chart"]

    assert [m.is_off_script for m in chart.markers] == [False, True]
    assert chart.breaches, "the holding statement was due at T0+60 and went out at T0+100"
    assert all(LEFT <= m.x <= LEFT + PLOT_W for m in chart.breaches)
