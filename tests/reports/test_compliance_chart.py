"""The analytics compliance chart: one bar per step, split on time / late / missed, with a legend shown whole."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from crisis.models import Incident, IncidentStatus
from crisis.reports.analytics import analytics_charts, organization_analytics
from crisis.reports.svg import compliance_svg
from tests.deadline_helpers import T0
from tests.factories import IncidentFactory

from .factories import DeadlineFactory

pytestmark = pytest.mark.django_db

LEGEND = ("on time", "late", "missed")


def _rects(svg: str) -> list[tuple[float, str]]:
    """(width, fill) of each bar segment (the legend swatches are 12 wide and have no tooltip)."""
    return [(float(w), fill) for w, fill in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="\d+" '
                                                       r'fill="(#[0-9a-f]+)"><title>', svg)]


def _incident(org, start, *deadlines):
    incident = IncidentFactory(organization=org, first_public_signal_at=start, detected_at=start)
    for key, state, late in deadlines:
        due = start + timedelta(minutes=60)
        DeadlineFactory(incident=incident, step_key=key, name=key, due_at=due, state=state,
                        met_at=None if late is None else due + timedelta(minutes=late))
    return incident


def test_it_says_so_when_no_deadline_has_come_due(org):
    svg = analytics_charts(organization_analytics(organization=org))["compliance"]
    assert "No deadline has come due yet." in svg
    assert "<rect" not in svg


def test_it_splits_breaches_into_late_and_missed(org):
    _incident(org, T0, ("holding-statement", "met", -5), ("full-statement", "breached", 40))
    _incident(org, T0 + timedelta(days=1), ("holding-statement", "breached", None), ("full-statement", "pending", None))
    steps = {s["key"]: s for s in organization_analytics(organization=org)["steps"]}
    assert {k: (s["met"], s["late"], s["missed"]) for k, s in steps.items()} == {
        "holding-statement": (1, 0, 1), "full-statement": (0, 1, 0)}


def test_it_draws_one_incident_as_full_width_bars_with_the_legend(org):
    _incident(org, T0, ("holding-statement", "met", -5), ("full-statement", "breached", 40))
    svg = analytics_charts(organization_analytics(organization=org))["compliance"]
    segments = _rects(svg)
    assert [fill for _w, fill in segments] == ["#2c7a4b", "#e0a526"]
    assert all(w == pytest.approx(segments[0][0]) for w, _f in segments)  # each a whole bar: 1 of 1
    for word in LEGEND:
        assert f">{word}</text>" in svg
    assert "holding-statement" in svg and ">1/1</text>" in svg and ">0/1</text>" in svg


def test_it_draws_three_hundred_incidents_in_the_same_bars(org):
    for n in range(300):
        start = T0 + timedelta(hours=n)
        state, late = ("met", -3) if n % 3 == 0 else ("breached", 20) if n % 3 == 1 else ("breached", None)
        _incident(org, start, ("holding-statement", state, late))
    data = organization_analytics(organization=org)
    svg = analytics_charts(data)["compliance"]
    widths = [w for w, _fill in _rects(svg)]
    assert len(widths) == 3  # one bar of three segments, however many incidents
    assert widths[0] == pytest.approx(widths[1]) == pytest.approx(widths[2])
    assert ">100</text>" in svg and ">100/300</text>" in svg
    assert int(re.search(r'viewBox="0 0 720 (\d+)"', svg).group(1)) < 200


def test_it_shows_long_step_names_whole_over_two_lines():
    name = "Sentiment checkpoint every 30 minutes (first 4 hours)"
    svg = compliance_svg(title="t", rows=[(name, 3, 1, 0)], legend=LEGEND)
    assert ">Sentiment checkpoint every 30</text>" in svg and ">minutes (first 4 hours)</text>" in svg
    assert "…" not in svg


def test_it_keeps_the_chinese_legend_whole(org):
    _incident(org, T0, ("holding-statement", "met", -5))
    with translation.override("zh-hans"):
        svg = analytics_charts(organization_analytics(organization=org))["compliance"]
        legend = [translation.gettext(word) for word in LEGEND]
    for word in legend:
        assert f">{word}</text>" in svg
    assert legend != list(LEGEND)


def test_it_draws_the_quarter_trend_only_from_two_quarters_on(org):
    _incident(org, T0, ("holding-statement", "met", -5))
    assert analytics_charts(organization_analytics(organization=org))["compliance_quarter"] == ""
    _incident(org, T0 + timedelta(days=100), ("holding-statement", "met", -5))
    assert "<polyline" in analytics_charts(organization_analytics(organization=org))["compliance_quarter"]


def test_it_renders_the_analytics_page_for_no_incident(client_for, people):
    response = client_for(people["viewer"]).get(reverse("reports:analytics"))
    assert response.status_code == 200
    assert "No deadline has come due yet." in response.content.decode()


def test_it_leaves_false_alarms_out_of_the_chart(org):
    _incident(org, T0, ("holding-statement", "breached", None))
    Incident.objects.update(status=IncidentStatus.FALSE_ALARM)
    assert "No deadline has come due yet." in analytics_charts(organization_analytics(organization=org))["compliance"]


def test_it_draws_a_phone_version_with_names_above_the_bars_and_a_wrapping_legend():
    legend = ("delivered before the deadline", "delivered after the deadline", "never delivered at all")
    svg = compliance_svg(title="t", rows=[("Holding statement published", 3, 1, 1)], legend=legend, narrow=True)
    assert 'viewBox="0 0 360 ' in svg
    label_y = float(re.search(r'y="([\d.]+)"[^>]*>Holding statement published<', svg).group(1))
    bar_y = min(float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)"[^>]*><title>', svg))
    assert label_y < bar_y  # the name sits above its bar
    swatches = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="12" height="12"', svg)
    assert len({y for _x, y in swatches}) > 1  # three long entries wrap onto a second line
    for x, _y in swatches:
        assert float(x) < 360
