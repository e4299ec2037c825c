"""How far each measure is from before the crisis, and when the desk proposes ending it."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from crisis.listening.baseline import baseline_view
from crisis.listening.models.thresholds import DEFAULTS, ListeningThresholds
from crisis.listening.selectors import baseline_for
from tests.deadline_helpers import T0


@dataclass
class Point:
    measured_at: object
    negative_share: float | None = None
    mention_volume: int | None = None
    reach: int | None = None
    trending_rank: int | None = None
    source: str = "weibo"
    pk: int | None = None


RULES = ListeningThresholds(**DEFAULTS)  # ±10 %, 2 points of negative share, 24 h


def hours(h):
    return T0 + timedelta(hours=h)


def view(points, now=None):
    return baseline_view(points, RULES, first_public_signal_at=T0, now=now or points[-1].measured_at)


def test_no_checkpoints_no_baseline():
    result = baseline_view([], RULES, first_public_signal_at=T0, now=T0)
    assert (result.has_baseline, result.distances, result.proposes_ending) == (False, [], False)


def test_one_checkpoint_is_its_own_baseline_with_nothing_to_compare():
    result = view([Point(hours(1), negative_share=0.6)])
    assert result.has_baseline and not result.baseline_before_signal
    assert result.distances == [] and not result.proposes_ending


def test_the_baseline_is_the_last_point_before_the_first_public_signal():
    result = view([Point(hours(-5), negative_share=0.10), Point(hours(-1), negative_share=0.12, pk=2),
                   Point(hours(2), negative_share=0.50, pk=3)])
    [distance] = result.distances
    assert result.baseline_before_signal
    assert (distance.baseline, distance.current, distance.is_back) == (0.12, 0.50, False)
    assert round(distance.difference, 2) == 0.38


def test_without_a_point_before_the_signal_the_first_point_is_the_baseline():
    result = view([Point(hours(1), mention_volume=1000), Point(hours(2), mention_volume=1090, pk=2)])
    [distance] = result.distances
    assert (distance.baseline, distance.relative, distance.is_back) == (1000, pytest.approx(0.09), True)


def test_doing_better_than_before_counts_as_back():
    result = view([Point(hours(-1), negative_share=0.30, trending_rank=40),
                   Point(hours(30), negative_share=0.10, trending_rank=48, pk=2)])
    assert all(d.is_back for d in result.distances)


def test_it_proposes_ending_after_the_hold_time_back_at_baseline():
    points = [Point(hours(-1), negative_share=0.10, pk=1), Point(hours(3), negative_share=0.60, pk=2),
              Point(hours(10), negative_share=0.11, pk=3), Point(hours(20), negative_share=0.12, pk=4)]
    assert view(points).is_back and not view(points).proposes_ending  # back for 10 h only
    points.append(Point(hours(34), negative_share=0.115, pk=5))
    result = view(points)
    assert (result.back_since, result.proposes_ending) == (hours(10), True)


def test_a_relapse_restarts_the_hold():
    points = [Point(hours(-1), negative_share=0.10, pk=1), Point(hours(3), negative_share=0.11, pk=2),
              Point(hours(20), negative_share=0.30, pk=3), Point(hours(30), negative_share=0.11, pk=4)]
    assert (view(points).back_since, view(points).proposes_ending) == (hours(30), False)


def test_stale_data_proposes_nothing():
    points = [Point(hours(-1), negative_share=0.10, pk=1), Point(hours(1), negative_share=0.10, pk=2),
              Point(hours(26), negative_share=0.10, pk=3)]
    assert view(points).proposes_ending
    stale = view(points, now=hours(33))
    assert stale.is_stale and not stale.proposes_ending


def test_every_source_must_be_back():
    points = [Point(hours(-1), negative_share=0.10, pk=1), Point(hours(-1), negative_share=0.20, source="douyin", pk=2),
              Point(hours(1), negative_share=0.10, pk=3), Point(hours(1), negative_share=0.40, source="douyin", pk=4),
              Point(hours(30), negative_share=0.10, pk=5)]
    assert not view(points).is_back


@pytest.mark.django_db
def test_it_reads_the_incident_checkpoints(incident_at_t0, record):
    incident = incident_at_t0()
    assert not baseline_for(incident).has_baseline
    record(incident, (-60, 0.10), (30, 0.50))
    [distance] = baseline_for(incident).distances
    assert (distance.baseline, distance.current) == (0.10, 0.50)
