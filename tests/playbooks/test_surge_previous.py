"""A surge is judged against the point measured just before on the same source, found without reading
the incident's whole sentiment history (which grows all through a crisis)."""

from datetime import timedelta

import pytest

from crisis.models import SentimentCheckpoint
from crisis.playbooks.triggers import _previous_by_checkpoint, _series_around
from tests.deadline_helpers import T0
from tests.factories import IncidentFactory, SentimentCheckpointFactory

pytestmark = pytest.mark.django_db


def _points(incident, source, minutes):
    return [SentimentCheckpointFactory(incident=incident, source=source, measured_at=T0 + timedelta(minutes=m))
            for m in minutes]


def _previous_by_reading_everything(checkpoint):
    earlier = SentimentCheckpoint.objects.filter(
        incident=checkpoint.incident, source=checkpoint.source, measured_at__lt=checkpoint.measured_at)
    return earlier.order_by("-measured_at", "-id").first()


def test_it_finds_the_same_previous_point_as_reading_the_whole_series():
    incident = IncidentFactory()
    _points(incident, "Weibo", [0, 5, 10, 10, 20, 40])
    _points(incident, "Douyin", [3, 30])
    # A batch with a back-filled point, two points at one instant, and a source seen for the first time.
    batch = (_points(incident, "Weibo", [12, 12, 45, 8]) + _points(incident, "Douyin", [31])
             + _points(incident, "Xiaohongshu", [15]))

    found = _previous_by_checkpoint(incident, batch)

    for checkpoint in batch:
        expected = _previous_by_reading_everything(checkpoint)
        assert found.get(checkpoint.pk) == expected, checkpoint.measured_at


def test_it_reads_only_the_batch_span_and_the_point_before_it():
    incident = IncidentFactory()
    _points(incident, "Weibo", range(0, 300))
    batch = _points(incident, "Weibo", [300, 301, 302])

    series = _series_around(incident, batch)

    assert [cp.measured_at for cp in series["Weibo"]] == [T0 + timedelta(minutes=m) for m in (299, 300, 301, 302)]
