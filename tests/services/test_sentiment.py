from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import QuerySet

from crisis.models import AuditEntry, EventKind, SentimentCheckpoint, TimelineEvent
from crisis.selectors import sentiment_series
from crisis.services import sentiment
from crisis.services.errors import ConcurrentUpdate, InvalidInput, PermissionDenied
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)
TEN_MB = "x" * (10 * 1024 * 1024)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def incident(org):
    return IncidentFactory(organization=org)


def point(**overrides):
    data = {"measured_at": NOW - timedelta(minutes=5), "source": "Weibo", "mention_volume": 21000,
            "negative_share": 0.71, "neutral_share": 0.25, "positive_share": 0.04, "trending_rank": 6,
            "follower_change": -4200}
    data.update(overrides)
    return data


def record(incident, actor, **overrides):
    return sentiment.sentiment_checkpoint_record(incident=incident, actor=actor, **point(**overrides))


def sentiment_events(incident):
    """Events that report a checkpoint (the deadline engine adds its own surge events, tested in tests/playbooks)."""
    return TimelineEvent.objects.filter(incident=incident, kind__in=[EventKind.SENTIMENT, EventKind.CORRECTION],
                                        metadata__has_key="checkpoint_id")


@pytest.fixture
def checkpoint(incident, people):
    return record(incident, people["responder"])


# Recording


def test_it_records_a_checkpoint(checkpoint, people):
    checkpoint.refresh_from_db()
    assert (checkpoint.source, checkpoint.negative_share, checkpoint.trending_rank, checkpoint.recorded_at,
            checkpoint.recorded_by) == ("Weibo", 0.71, 6, NOW, people["responder"])


def test_it_puts_the_checkpoint_on_the_timeline_at_the_time_it_was_measured(checkpoint):
    event = sentiment_events(checkpoint.incident).get()
    assert (event.occurred_at, event.metadata) == (checkpoint.measured_at, {"checkpoint_id": checkpoint.pk})
    assert "trending #6" in event.body


def test_it_audits_a_checkpoint(checkpoint):
    assert AuditEntry.objects.filter(action="sentiment.record", object_id=str(checkpoint.pk)).exists()


def test_it_accepts_shares_summing_to_one_with_floating_point_noise(incident, people):
    cp = record(incident, people["responder"], negative_share=0.7, neutral_share=0.2, positive_share=0.1000000001)
    assert cp.pk is not None


def test_it_accepts_a_follower_count_alone(incident, people):
    cp = sentiment.sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=NOW,
                                               source="Douyin", follower_change=-60000)
    assert cp.follower_change == -60000


def test_it_accepts_a_time_four_minutes_ahead(incident, people):
    cp = record(incident, people["responder"], measured_at=NOW + timedelta(minutes=4))
    assert cp.measured_at == NOW + timedelta(minutes=4)


def test_it_stores_missing_notes_as_empty_text(incident, people):
    cp = record(incident, people["responder"], notes=None)
    assert SentimentCheckpoint.objects.get(pk=cp.pk).notes == ""


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"negative_share": float("nan")}, "negative_share", id="nan_share"),
        pytest.param({"positive_share": float("inf")}, "positive_share", id="infinite_share"),
        pytest.param({"share_price_move_pct": float("-inf")}, "share_price_move_pct", id="minus_infinite_price"),
        pytest.param({"mention_volume": float("nan")}, "mention_volume", id="nan_volume"),
        pytest.param({"negative_share": -0.1}, "negative_share", id="negative_share"),
        pytest.param({"neutral_share": 1.01}, "neutral_share", id="share_over_one"),
        pytest.param({"negative_share": 0.6, "neutral_share": 0.3, "positive_share": 0.2}, "negative_share",
                     id="shares_summing_over_one"),
        pytest.param({"trending_rank": 0}, "trending_rank", id="trending_rank_zero"),
        pytest.param({"trending_rank": 2.5}, "trending_rank", id="fractional_rank"),
        pytest.param({"mention_volume": -1}, "mention_volume", id="negative_volume"),
        pytest.param({"mention_volume": 2**31}, "mention_volume", id="volume_overflow"),
        pytest.param({"share_price_move_pct": -100.5}, "share_price_move_pct", id="price_below_minus_100"),
        pytest.param({"measured_at": datetime(9999, 1, 1, tzinfo=UTC)}, "measured_at", id="year_9999"),
        pytest.param({"measured_at": NOW + timedelta(minutes=6)}, "measured_at", id="beyond_the_skew"),
        pytest.param({"measured_at": datetime(2025, 3, 14, 1, 0)}, "measured_at", id="naive_time"),
        pytest.param({"measured_at": "2025-03-14T01:00:00Z"}, "measured_at", id="text_time"),
        pytest.param({"measured_at": None}, "measured_at", id="no_time"),
        pytest.param({"source": TEN_MB}, "source", id="ten_megabyte_source"),
        pytest.param({"notes": TEN_MB}, "notes", id="ten_megabyte_notes"),
        pytest.param({"extra": {"raw": TEN_MB}}, "extra", id="ten_megabyte_extra"),
        pytest.param({"extra": {"score": float("nan")}}, "extra", id="nan_in_extra"),
        pytest.param({"extra": ["not", "an", "object"]}, "extra", id="extra_not_an_object"),
        pytest.param({"source": " "}, "source", id="blank_source"),
        pytest.param({"mention_volume": True}, "mention_volume", id="boolean_volume"),
        pytest.param({"negative_share": False}, "negative_share", id="boolean_share"),
        pytest.param({"reach": "1000"}, "reach", id="number_as_text"),
    ],
)
def test_it_refuses_an_invalid_checkpoint(incident, people, overrides, field):
    with pytest.raises(InvalidInput) as exc:
        record(incident, people["responder"], **overrides)
    assert field in exc.value.fields
    assert not SentimentCheckpoint.objects.exists()
    assert not sentiment_events(incident).exists()


def test_it_refuses_a_checkpoint_without_any_measure(incident, people):
    with pytest.raises(InvalidInput, match="at least one measure"):
        sentiment.sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=NOW,
                                              source="Weibo", notes="Nothing measured.")


def test_it_refuses_unknown_fields(incident, people):
    with pytest.raises(InvalidInput) as exc:
        record(incident, people["responder"], sentiment_score=0.3)
    assert exc.value.fields == {"sentiment_score": ["Unknown field."]}


def test_it_refuses_a_viewer_who_records_sentiment(incident, people):
    with pytest.raises(PermissionDenied):
        record(incident, people["viewer"])


# Bulk ingest


def test_it_ingests_a_series_in_one_go(incident, people):
    points = [point(measured_at=NOW - timedelta(minutes=m), negative_share=s) for m, s in ((60, 0.5), (30, 0.7))]
    checkpoints = sentiment.sentiment_checkpoints_ingest(incident=incident, actor=people["responder"], points=points)
    assert [cp.negative_share for cp in checkpoints] == [0.5, 0.7]
    assert sentiment_events(incident).count() == 2
    assert AuditEntry.objects.filter(action="sentiment.record").count() == 1


def test_it_sums_up_a_long_series_in_one_timeline_event_per_source(incident, people):
    points = [point(measured_at=NOW - timedelta(minutes=60 - m), negative_share=0.3 + m / 100, source=source)
              for m in range(40) for source in ("Weibo", "Douyin")]
    checkpoints = sentiment.sentiment_checkpoints_ingest(incident=incident, actor=people["responder"], points=points)
    events = {e.metadata["checkpoint_id"]: e for e in sentiment_events(incident)}
    latest = {cp.source: cp for cp in checkpoints}  # the last of each source was measured latest
    assert set(events) == {cp.pk for cp in latest.values()}
    weibo = events[latest["Weibo"].pk]
    assert weibo.metadata["series_count"] == 40
    assert weibo.occurred_at == latest["Weibo"].measured_at
    assert weibo.body.startswith("40 points from Weibo") and "negative 69%" in weibo.body


def test_it_ingests_nothing_when_one_row_is_invalid(incident, people):
    points = [point(), point(negative_share=float("nan")), point()]
    with pytest.raises(InvalidInput) as exc:
        sentiment.sentiment_checkpoints_ingest(incident=incident, actor=people["responder"], points=points)
    assert list(exc.value.fields) == ["points[1].negative_share"]
    assert exc.value.message.startswith("Row 1:")
    assert not SentimentCheckpoint.objects.exists()
    assert not sentiment_events(incident).exists()


def test_it_names_every_field_of_the_failing_row(incident, people):
    points = [point(), point(), point(trending_rank=0, mention_volume=True)]
    with pytest.raises(InvalidInput) as exc:
        sentiment.sentiment_checkpoints_ingest(incident=incident, actor=people["responder"], points=points)
    assert set(exc.value.fields) == {"points[2].trending_rank", "points[2].mention_volume"}


def test_it_refuses_a_series_with_an_unknown_field(incident, people):
    with pytest.raises(InvalidInput) as exc:
        sentiment.sentiment_checkpoints_ingest(incident=incident, actor=people["responder"],
                                               points=[point(), point(mood="angry")])
    assert "mood" in exc.value.fields
    assert not SentimentCheckpoint.objects.exists()


def test_it_writes_nothing_when_the_ingest_fails_after_the_first_insert(incident, people, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(sentiment, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        sentiment.sentiment_checkpoints_ingest(incident=incident, actor=people["responder"],
                                               points=[point(), point()])
    assert not SentimentCheckpoint.objects.exists()
    assert not sentiment_events(incident).exists()


# Corrections


def test_it_corrects_a_checkpoint_with_a_new_one_pointing_at_it(checkpoint, people):
    correction = sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["commander"],
                                                        negative_share=0.61, reason="Tool double-counted bots.")
    original = SentimentCheckpoint.objects.get(pk=checkpoint.pk)
    assert (original.negative_share, correction.negative_share, correction.corrects) == (0.71, 0.61, original)
    assert (correction.source, correction.trending_rank, correction.measured_at) == (
        original.source, original.trending_rank, original.measured_at)


def test_it_records_the_correction_on_the_timeline(checkpoint, people):
    correction = sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["commander"],
                                                        negative_share=0.61, reason="Bots.")
    event = TimelineEvent.objects.get(kind=EventKind.CORRECTION)
    assert event.metadata == {"checkpoint_id": correction.pk, "corrects_checkpoint_id": checkpoint.pk}
    assert AuditEntry.objects.filter(action="sentiment.correct", object_id=str(correction.pk)).exists()


def test_it_shows_the_corrected_value_in_the_series(checkpoint, people):
    later = record(checkpoint.incident, people["responder"], measured_at=NOW, negative_share=0.5)
    correction = sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["commander"],
                                                        negative_share=0.61)
    assert [cp.pk for cp in sentiment_series(incident=checkpoint.incident)] == [correction.pk, later.pk]


def test_it_refuses_a_correction_that_breaks_the_rules(checkpoint, people):
    with pytest.raises(InvalidInput) as exc:
        sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["commander"], positive_share=0.5)
    assert "negative_share" in exc.value.fields
    assert not checkpoint.corrections.exists()


def test_it_refuses_to_correct_an_unknown_field(checkpoint, people):
    with pytest.raises(InvalidInput) as exc:
        sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["commander"], incident=None)
    assert "incident" in exc.value.fields


def test_it_refuses_a_second_correction_of_the_same_checkpoint(checkpoint, people):
    sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["commander"], negative_share=0.61)
    with pytest.raises(ConcurrentUpdate) as exc:
        sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["responder"], negative_share=0.6)
    assert "corrects" in exc.value.fields
    assert list(checkpoint.corrections.values_list("negative_share", flat=True)) == [0.61]


def test_it_loses_the_correction_race_at_the_unique_constraint(checkpoint, people, monkeypatch):
    sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["commander"], negative_share=0.61)
    original_exists = QuerySet.exists
    monkeypatch.setattr(QuerySet, "exists",
                        lambda qs: False if qs.model is SentimentCheckpoint else original_exists(qs))
    with pytest.raises(ConcurrentUpdate) as exc:
        sentiment.sentiment_checkpoint_correct(checkpoint=checkpoint, actor=people["responder"], negative_share=0.6)
    assert "corrects" in exc.value.fields
    assert list(checkpoint.corrections.values_list("negative_share", flat=True)) == [0.61]
    assert TimelineEvent.objects.filter(kind=EventKind.CORRECTION).count() == 1
