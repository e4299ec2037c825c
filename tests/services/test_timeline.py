from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import QuerySet

from crisis.models import AuditEntry, EventKind, TimelineEvent
from crisis.selectors import incident_timeline
from crisis.services import timeline
from crisis.services.errors import ConcurrentUpdate, InvalidInput, PermissionDenied
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def incident(org):
    return IncidentFactory(organization=org)


@pytest.fixture
def event(incident, people):
    return timeline.timeline_event_log(incident=incident, actor=people["responder"], kind=EventKind.OBSERVATION,
                                       body="Video reposted by a 3 M-follower account.",
                                       occurred_at=NOW - timedelta(minutes=30))


def pretend_nobody_corrected_yet(monkeypatch, model):
    """Make the service's exists() check miss a correction that is already there, as if the competing
    correction committed between the check and the insert: only the unique constraint is left to catch it."""
    original = QuerySet.exists

    def exists(self):
        return False if self.model is model else original(self)

    monkeypatch.setattr(QuerySet, "exists", exists)


# Logging


def test_it_logs_a_back_dated_event(event, people):
    event.refresh_from_db()
    assert (event.kind, event.actor, event.occurred_at, event.recorded_at) == (
        EventKind.OBSERVATION, people["responder"], NOW - timedelta(minutes=30), NOW)


def test_it_dates_an_event_now_when_no_time_is_given(incident, people):
    event = timeline.timeline_event_log(incident=incident, actor=people["responder"], body="Hotline opened.")
    assert event.occurred_at == NOW


def test_it_audits_a_logged_event(event):
    assert AuditEntry.objects.filter(action="timeline_event.log", object_id=str(event.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"kind": "rumour"}, "kind", id="unknown_kind"),
        pytest.param({"body": "  "}, "body", id="blank_body"),
        pytest.param({"body": "x" * (10 * 1024 * 1024)}, "body", id="ten_megabytes"),
        pytest.param({"occurred_at": NOW + timedelta(minutes=6)}, "occurred_at", id="beyond_the_skew"),
        pytest.param({"occurred_at": datetime(9999, 12, 31, tzinfo=UTC)}, "occurred_at", id="year_9999"),
        pytest.param({"occurred_at": datetime(1970, 1, 1, tzinfo=UTC)}, "occurred_at", id="implausibly_old"),
        pytest.param({"occurred_at": "2025-03-14T01:00:00Z"}, "occurred_at", id="text_instead_of_time"),
        pytest.param({"source_url": "javascript:alert(1)"}, "source_url", id="script_url"),
        pytest.param({"metadata": ["a", "list"]}, "metadata", id="metadata_not_an_object"),
        pytest.param({"metadata": {"score": float("nan")}}, "metadata", id="metadata_with_nan"),
        pytest.param({"metadata": {"blob": "x" * (10 * 1024 * 1024)}}, "metadata", id="metadata_ten_megabytes"),
    ],
)
def test_it_refuses_an_invalid_event(incident, people, overrides, field):
    fields = {"incident": incident, "actor": people["responder"], "body": "Something happened."}
    fields.update(overrides)
    with pytest.raises(InvalidInput) as exc:
        timeline.timeline_event_log(**fields)
    assert field in exc.value.fields
    assert not TimelineEvent.objects.filter(incident=incident).exists()


def test_it_accepts_a_time_within_the_five_minute_skew(incident, people):
    event = timeline.timeline_event_log(incident=incident, actor=people["responder"], body="Phone clock ahead.",
                                        occurred_at=NOW + timedelta(minutes=4))
    assert event.occurred_at == NOW + timedelta(minutes=4)


def test_it_refuses_a_viewer_who_logs_an_event(incident, people):
    with pytest.raises(PermissionDenied):
        timeline.timeline_event_log(incident=incident, actor=people["viewer"], body="I saw it too.")
    assert not TimelineEvent.objects.filter(incident=incident).exists()


# Pinning


def test_it_pins_and_unpins_an_event(event, people):
    timeline.timeline_event_pin(event=event, actor=people["responder"], is_pinned=True)
    assert TimelineEvent.objects.get(pk=event.pk).is_pinned is True
    timeline.timeline_event_pin(event=event, actor=people["responder"], is_pinned=False)
    assert TimelineEvent.objects.get(pk=event.pk).is_pinned is False


def test_it_refuses_a_viewer_who_pins(event, people):
    with pytest.raises(PermissionDenied):
        timeline.timeline_event_pin(event=event, actor=people["viewer"], is_pinned=True)
    assert TimelineEvent.objects.get(pk=event.pk).is_pinned is False


# Corrections


def test_it_records_a_correction_beside_the_original(event, people):
    correction = timeline.timeline_event_correct(event=event, actor=people["commander"],
                                                 body="Video reposted by a 300 k-follower account.",
                                                 reason="Misread the follower count.")
    original = TimelineEvent.objects.get(pk=event.pk)
    assert original.body == "Video reposted by a 3 M-follower account."
    assert (correction.corrects, correction.kind, correction.occurred_at, correction.metadata) == (
        original, EventKind.OBSERVATION, original.occurred_at, {"reason": "Misread the follower count."})


def test_it_audits_a_correction(event, people):
    correction = timeline.timeline_event_correct(event=event, actor=people["commander"], body="Fixed.")
    entry = AuditEntry.objects.get(action="timeline_event.correct")
    assert (entry.object_id, entry.changes["corrects"]) == (str(correction.pk), event.pk)


def test_it_lets_a_correction_move_the_time(event, people):
    correction = timeline.timeline_event_correct(event=event, actor=people["commander"], body="Earlier than noted.",
                                                 occurred_at=NOW - timedelta(hours=1))
    assert correction.occurred_at == NOW - timedelta(hours=1)


def test_it_refuses_an_invalid_correction(event, people):
    with pytest.raises(InvalidInput) as exc:
        timeline.timeline_event_correct(event=event, actor=people["commander"], body="",
                                        occurred_at=NOW + timedelta(days=1))
    assert {"body", "occurred_at"} <= set(exc.value.fields)
    assert not event.corrections.exists()


def test_it_refuses_a_second_correction_of_the_same_event(event, people):
    timeline.timeline_event_correct(event=event, actor=people["commander"], body="First fix.")
    with pytest.raises(ConcurrentUpdate) as exc:
        timeline.timeline_event_correct(event=event, actor=people["responder"], body="Second fix.")
    assert "corrects" in exc.value.fields
    assert list(event.corrections.values_list("body", flat=True)) == ["First fix."]


def test_it_loses_the_correction_race_at_the_unique_constraint(event, people, monkeypatch):
    timeline.timeline_event_correct(event=event, actor=people["commander"], body="First fix.")
    pretend_nobody_corrected_yet(monkeypatch, TimelineEvent)
    with pytest.raises(ConcurrentUpdate) as exc:
        timeline.timeline_event_correct(event=event, actor=people["responder"], body="Second fix.")
    assert "corrects" in exc.value.fields
    assert list(event.corrections.values_list("body", flat=True)) == ["First fix."]
    assert AuditEntry.objects.filter(action="timeline_event.correct").count() == 1


def test_it_keeps_the_transaction_usable_after_losing_at_the_constraint(event, people, monkeypatch):
    timeline.timeline_event_correct(event=event, actor=people["commander"], body="First fix.")
    pretend_nobody_corrected_yet(monkeypatch, TimelineEvent)
    with pytest.raises(ConcurrentUpdate):
        timeline.timeline_event_correct(event=event, actor=people["responder"], body="Second fix.")
    monkeypatch.undo()
    later = timeline.timeline_event_log(incident=event.incident, actor=people["responder"], body="Carrying on.")
    assert TimelineEvent.objects.filter(pk=later.pk).exists()


def test_it_lets_somebody_correct_the_correction(event, people):
    first = timeline.timeline_event_correct(event=event, actor=people["commander"], body="First fix.")
    second = timeline.timeline_event_correct(event=first, actor=people["responder"], body="Fix of the fix.")
    assert second.corrects.corrects == TimelineEvent.objects.get(pk=event.pk)


def test_it_shows_each_event_with_its_correction_in_the_timeline(event, people, django_assert_max_num_queries):
    timeline.timeline_event_correct(event=event, actor=people["commander"], body="Fixed.")
    with django_assert_max_num_queries(2):
        shown = {e.body: [c.body for c in e.corrections.all()] for e in incident_timeline(incident=event.incident)}
    assert shown[event.body] == ["Fixed."]
