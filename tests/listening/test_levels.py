"""The level engine on plain series: crossing, hovering, coming back down, and points entered out of order."""

from dataclasses import dataclass
from datetime import timedelta

from crisis.listening.levels import level_now, level_walk
from crisis.listening.models.thresholds import DEFAULTS, ListeningThresholds
from tests.deadline_helpers import T0


@dataclass
class Point:
    measured_at: object
    source: str = "weibo"
    negative_share: float | None = None
    mention_volume: int | None = None
    trending_rank: int | None = None
    follower_change: int | None = None
    pk: int | None = None


def rules(**overrides) -> ListeningThresholds:
    # Defaults: negative share 40 / 55 / 70 %, exit band 10 %, 3 calm points spanning 30 minutes.
    return ListeningThresholds(**{**DEFAULTS, **overrides})


def series(*shares, step=10, source="weibo"):
    return [Point(measured_at=T0 + timedelta(minutes=i * step), negative_share=s, source=source, pk=i + 1)
            for i, s in enumerate(shares)]


def levels(points, thresholds=None):
    return [s.level for s in level_walk(points, thresholds or rules(), {})]


def test_it_enters_a_level_at_the_threshold():
    assert levels(series(0.30, 0.39, 0.40, 0.56, 0.71)) == [0, 0, 1, 2, 3]


def test_it_does_not_flap_when_a_series_hovers_around_a_threshold():
    # 55 % is "high"; its exit line is 49.5 %: dips to 52-54 % do not leave the level.
    assert levels(series(0.50, 0.56, 0.54, 0.55, 0.52, 0.57, 0.53, 0.54)) == [1, 2, 2, 2, 2, 2, 2, 2]


def test_it_leaves_a_level_only_after_calm_points_over_calm_minutes():
    # Below the exit line from the third point on; the third calm point (30 min after the first) leaves.
    assert levels(series(0.60, 0.45, 0.44, 0.44, 0.44)) == [2, 2, 2, 2, 1]


def test_it_needs_the_calm_minutes_as_well_as_the_points():
    points = series(0.60, 0.30, 0.30, 0.30, 0.30, step=5)
    assert levels(points) == [2, 2, 2, 2, 2]
    assert levels(points + [Point(measured_at=T0 + timedelta(minutes=35), negative_share=0.30, pk=99)]) == [
        2, 2, 2, 2, 2, 0]


def test_a_hot_point_resets_the_calm_count():
    assert levels(series(0.60, 0.40, 0.40, 0.52, 0.40, 0.40, 0.40, 0.40)) == [2, 2, 2, 2, 2, 2, 2, 1]


def test_it_drops_to_the_level_still_held_not_straight_to_calm():
    assert levels(series(0.75, 0.50, 0.50, 0.50, 0.50)) == [3, 3, 3, 3, 2]


def test_it_computes_from_measured_time_whatever_the_order_points_arrived_in():
    in_order = series(0.30, 0.60, 0.45, 0.44, 0.44, 0.44)
    shuffled = [in_order[i] for i in (5, 0, 3, 1, 4, 2)]
    assert level_now(shuffled, rules(), {}).level == level_now(in_order, rules(), {}).level == 1
    assert level_now(shuffled, rules(), {}).entered_at == T0 + timedelta(minutes=50)


def test_a_late_point_measured_in_the_past_can_raise_the_level_when_it_happened():
    points = series(0.30, 0.30, 0.30)
    late = Point(measured_at=T0 + timedelta(minutes=5), negative_share=0.72, pk=10)
    state = level_now(points + [late], rules(), {})
    assert state.level == 3 and state.entered_at == T0 + timedelta(minutes=5)
    assert [(f.measure, f.value) for f in state.figures] == [("negative_share", 0.72)]


def test_the_worst_source_sets_the_level():
    weibo = series(0.60, 0.60, 0.60)
    douyin = series(0.20, 0.20, 0.20, source="douyin")
    for i, point in enumerate(douyin):
        point.pk = 50 + i
    assert level_now(weibo + douyin, rules(), {}).level == 2


def test_volume_growth_is_against_the_source_baseline():
    points = [Point(measured_at=T0 + timedelta(minutes=i), mention_volume=v, pk=i + 1)
              for i, v in enumerate((1_000, 2_000, 12_000))]
    assert levels(points, rules()) == [0, 0, 0]
    assert [s.level for s in level_walk(points, rules(), {"weibo": 1_000})] == [0, 0, 2]


def test_trending_rank_counts_when_it_is_small_enough():
    points = [Point(measured_at=T0 + timedelta(minutes=i), trending_rank=r, pk=i + 1) for i, r in enumerate((80, 9, 2))]
    assert levels(points) == [0, 2, 3]


def test_follower_loss_is_a_rate_over_the_time_since_the_source_previous_point():
    points = [Point(measured_at=T0, follower_change=-500, pk=1),
              Point(measured_at=T0 + timedelta(minutes=30), follower_change=-6_000, pk=2)]
    states = level_walk(points, rules(), {})
    assert [s.level for s in states] == [0, 2]  # 12,000 an hour
    assert states[-1].figures[0].value == 12_000


def test_an_empty_threshold_ignores_the_measure_at_that_level():
    assert levels(series(0.99), rules(negative_share_critical=None)) == [2]


def test_no_points_is_calm():
    assert level_now([], rules(), {}).level == 0


def test_the_worked_example_in_docs_listening():
    """docs/listening.md, "Levels without flapping": Weibo every 10 minutes from 02:00."""
    shares = (0.38, 0.56, 0.53, 0.57, 0.50, 0.48, 0.47, 0.52, 0.45, 0.44, 0.44, 0.43)
    assert levels(series(*shares)) == [0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]
