"""The commander applies or dismisses the severity a sentiment level suggests: once per level change."""

from datetime import timedelta

import pytest

from crisis.listening.models import SuggestionDecision
from crisis.listening.selectors import sentiment_level_reading
from crisis.listening.services.suggestions import suggestion_apply, suggestion_dismiss
from crisis.models import AuditEntry, EventKind, Incident, TimelineEvent
from crisis.oncall.models import PageSource, TargetKind
from crisis.oncall.services.pages import page_open
from crisis.services.errors import ConcurrentUpdate, InvalidInput, PermissionDenied
from crisis.system_lines import line_render
from tests.deadline_helpers import T0
from tests.oncall.factories import policy_with
from tests.oncall.helpers import recipients

pytestmark = pytest.mark.django_db
ENTERED = T0 + timedelta(minutes=10)


def test_it_suggests_the_severity_of_the_level_with_its_figures(hot_incident):
    suggestion = sentiment_level_reading(hot_incident()).suggestion
    assert (suggestion.level, suggestion.level_entered_at, suggestion.suggested_severity) == (2, ENTERED, 2)
    assert suggestion.figures == [{"measure": "negative_share", "source": "weibo", "value": 0.6, "threshold": 0.55,
                                   "measured_at": ENTERED.isoformat()}]


def test_it_suggests_nothing_the_incident_already_has(incident_at_t0, record):
    incident = incident_at_t0(severity=2)
    record(incident, (10, 0.60))
    assert sentiment_level_reading(incident).suggestion is None


def test_applying_raises_the_severity_and_records_why(hot_incident, people):
    incident = hot_incident()
    suggestion_apply(incident=incident, actor=people["commander"], level=2, level_entered_at=ENTERED,
                     reason="Trending with a video")
    incident.refresh_from_db()
    assert incident.severity == 2
    event = TimelineEvent.objects.filter(incident=incident, metadata__outcome="applied").get()
    assert "suggested SEV2 – major applied (weibo: negative share 60% (threshold 55%))" in line_render(event.message)
    assert AuditEntry.objects.filter(action="listening.suggestion_applied").count() == 1
    assert TimelineEvent.objects.filter(incident=incident, kind=EventKind.SEVERITY_CHANGE,
                                        metadata__to=2).exists()
    assert sentiment_level_reading(incident).suggestion is None


def test_after_applying_pages_follow_the_policy_of_the_new_severity(hot_incident, people, org):
    policy_with(org, [{"target_kind": TargetKind.USER, "user": people["responder"]}])
    sev1 = policy_with(org, [{"target_kind": TargetKind.USER, "user": people["admin"]}], severities=[1])
    incident = hot_incident()
    from crisis.services.sentiment import sentiment_checkpoints_ingest

    sentiment_checkpoints_ingest(incident=incident, actor=people["responder"], points=[
        {"measured_at": T0 + timedelta(minutes=12), "source": "weibo", "negative_share": 0.75}])
    suggestion_apply(incident=incident, actor=people["commander"], level=3,
                     level_entered_at=T0 + timedelta(minutes=12))
    page, _created = page_open(organization=org, incident=Incident.objects.get(pk=incident.pk),
                               source=PageSource.SURGE, dedup_key="t", title="Surge")
    assert (page.policy, recipients(page)) == (sev1, [people["admin"].username])


def test_dismissing_keeps_the_severity_and_is_not_suggested_again(hot_incident, people, record, at):
    incident = hot_incident()
    suggestion_dismiss(incident=incident, actor=people["commander"], level=2, level_entered_at=ENTERED,
                       reason="One influencer, already answered")
    incident.refresh_from_db()
    assert incident.severity == 3
    assert "Reason: One influencer, already answered" in line_render(
        TimelineEvent.objects.get(incident=incident, metadata__outcome="dismissed").message)
    assert AuditEntry.objects.filter(action="listening.suggestion_dismissed").count() == 1
    record(incident, (20, 0.58), (25, 0.52))  # still high: hovering, not a new level
    assert sentiment_level_reading(incident).suggestion is None


def test_a_dismissed_level_is_suggested_again_once_the_level_has_changed(hot_incident, people, record, at):
    incident = hot_incident()
    suggestion_dismiss(incident=incident, actor=people["commander"], level=2, level_entered_at=ENTERED, reason="x")
    record(incident, (20, 0.40), (30, 0.40), (40, 0.40), (50, 0.40))  # down to elevated after 30 calm minutes
    assert sentiment_level_reading(incident).state.level == 1
    record(incident, (60, 0.60))
    suggestion = sentiment_level_reading(incident).suggestion
    assert (suggestion.level, suggestion.level_entered_at) == (2, T0 + timedelta(minutes=60))


def test_a_dismissal_needs_a_reason_and_bad_input_writes_nothing(hot_incident, people):
    incident = hot_incident()
    with pytest.raises(InvalidInput) as error:
        suggestion_dismiss(incident=incident, actor=people["commander"], level=2, level_entered_at=ENTERED,
                           reason=" ")
    assert "reason" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        suggestion_apply(incident=incident, actor=people["commander"], level=7, level_entered_at=None)
    assert {"level", "level_entered_at"} <= set(error.value.fields)
    assert not SuggestionDecision.objects.exists()
    assert Incident.objects.get(pk=incident.pk).severity == 3


def test_only_a_commander_decides(hot_incident, people):
    with pytest.raises(PermissionDenied):
        suggestion_apply(incident=hot_incident(), actor=people["responder"], level=2, level_entered_at=ENTERED)


def test_applying_after_a_colleague_dismissed_it_loses_and_changes_nothing(hot_incident, people):
    incident = hot_incident()
    stale_copy = Incident.objects.get(pk=incident.pk)
    suggestion_dismiss(incident=incident, actor=people["admin"], level=2, level_entered_at=ENTERED, reason="no")
    with pytest.raises(ConcurrentUpdate):
        suggestion_apply(incident=stale_copy, actor=people["commander"], level=2, level_entered_at=ENTERED)
    assert Incident.objects.get(pk=incident.pk).severity == 3
    assert SuggestionDecision.objects.get().outcome == "dismissed"


def test_a_decision_inserted_between_the_check_and_the_write_wins(hot_incident, people, monkeypatch):
    """The race itself: both saw the suggestion standing; the unique decision row lets one through."""
    from crisis.listening.services import suggestions

    incident = hot_incident()
    seen = suggestions.sentiment_level_reading(incident)
    monkeypatch.setattr(suggestions, "sentiment_level_reading", lambda _incident: seen)
    suggestion_dismiss(incident=incident, actor=people["admin"], level=2, level_entered_at=ENTERED, reason="no")
    with pytest.raises(ConcurrentUpdate):
        suggestion_apply(incident=incident, actor=people["commander"], level=2, level_entered_at=ENTERED)
    assert Incident.objects.get(pk=incident.pk).severity == 3
    assert SuggestionDecision.objects.count() == 1


def test_a_suggestion_the_level_has_moved_past_is_refused(hot_incident, people, record):
    incident = hot_incident()
    record(incident, (12, 0.75))
    with pytest.raises(ConcurrentUpdate):
        suggestion_apply(incident=incident, actor=people["commander"], level=2, level_entered_at=ENTERED)
    assert Incident.objects.get(pk=incident.pk).severity == 3


def test_a_late_checkpoint_measured_earlier_counts_at_its_own_time(incident_at_t0, record, at):
    incident = incident_at_t0(severity=3)
    record(incident, (20, 0.30), (30, 0.30))
    at(40)
    record(incident, (25, 0.72))  # entered at T0+40 min, measured at T0+25
    state = sentiment_level_reading(incident).state
    assert (state.level, state.entered_at) == (3, T0 + timedelta(minutes=25))


def test_a_corrected_checkpoint_is_read_as_corrected(incident_at_t0, record, people):
    from crisis.services.sentiment import sentiment_checkpoint_correct

    incident = incident_at_t0(severity=3)
    [wrong] = record(incident, (20, 0.72))
    sentiment_checkpoint_correct(checkpoint=wrong, actor=people["responder"], negative_share=0.072, reason="typo")
    assert sentiment_level_reading(incident).state.level == 0
