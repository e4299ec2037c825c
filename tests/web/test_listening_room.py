"""The room's sentiment-level and baseline panels, the commander's buttons, and the thresholds page."""

import pytest
from django.urls import reverse

from crisis.listening.models import ListeningThresholds, SuggestionDecision
from crisis.models import Incident
from tests.listening.conftest import hot_incident, record  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hot(hot_incident):  # noqa: F811  (the imported fixture)
    return hot_incident()


def room(client, incident) -> str:
    return client.get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()


def test_the_room_shows_the_level_its_figures_and_the_suggestion(client_for, people, hot):
    page = room(client_for(people["commander"]), hot)
    assert 'data-live-panel="sentiment_level"' in page and "High" in page
    assert "weibo: negative share <strong>60%</strong>" in page
    assert "Suggested: raise the severity to SEV2 – major." in page
    assert reverse("listening:suggestion-apply", args=[hot.pk]) in page


def test_a_responder_sees_the_suggestion_but_not_the_buttons(client_for, people, hot):
    page = room(client_for(people["responder"]), hot)
    assert "Suggested: raise" in page and reverse("listening:suggestion-apply", args=[hot.pk]) not in page


def test_the_room_shows_the_distance_to_baseline(client_for, people, hot):
    page = room(client_for(people["viewer"]), hot)
    assert 'data-live-panel="baseline"' in page and "+40.0 pt" in page
    assert "Baseline: the last figures before the first public signal." in page


def test_the_panels_render_without_checkpoints(client_for, people, incident_at_t0):
    page = room(client_for(people["viewer"]), incident_at_t0())
    assert "No checkpoints yet: no baseline." in page and "No measure is at a threshold." in page


def test_the_room_proposes_resolving_after_a_day_back_at_baseline(client_for, people, incident_at_t0, record,  # noqa: F811
                                                                 at):
    incident = incident_at_t0(severity=3)
    record(incident, (-30, 0.20), (10, 0.60), (120, 0.21), (26 * 60, 0.20))
    page = room(client_for(people["commander"]), incident)
    assert "Every measure has been back at baseline for at least 1440 minutes." in page
    assert "Consider resolving" in page


def test_dismiss_from_the_room(client_for, people, hot):
    seen = "2026-11-24T18:10:00+00:00"
    response = client_for(people["commander"]).post(reverse("listening:suggestion-dismiss", args=[hot.pk]),
                                                    {"level": "2", "level_entered_at": seen, "reason": "answered"})
    assert response.status_code == 302
    assert SuggestionDecision.objects.get().outcome == "dismissed"
    assert "Suggested: raise" not in room(client_for(people["commander"]), hot)


def test_apply_from_the_room(client_for, people, hot):
    client_for(people["commander"]).post(reverse("listening:suggestion-apply", args=[hot.pk]),
                                         {"level": "2", "level_entered_at": "2026-11-24T18:10:00+00:00"})
    assert Incident.objects.get(pk=hot.pk).severity == 2


def test_a_garbled_post_changes_nothing(client_for, people, hot):
    client_for(people["commander"]).post(reverse("listening:suggestion-apply", args=[hot.pk]),
                                         {"level": "x", "level_entered_at": "yesterday"})
    assert Incident.objects.get(pk=hot.pk).severity == 3 and not SuggestionDecision.objects.exists()


def test_an_admin_edits_the_thresholds_page(client_for, people):
    client = client_for(people["admin"])
    page = client.get(reverse("listening:thresholds")).content.decode()
    assert "negative share: high" in page
    form = {"version": "1", "negative_share_elevated": "0.4", "negative_share_high": "0.5",
            "negative_share_critical": "0.7", "exit_band_pct": "10", "calm_checkpoints": "3", "calm_minutes": "30",
            "baseline_band_pct": "10", "baseline_share_points": "2", "baseline_hold_minutes": "1440"}
    assert client.post(reverse("listening:thresholds"), form).status_code == 302
    saved = ListeningThresholds.objects.get()
    assert (saved.negative_share_high, saved.trending_rank_high) == (0.5, None)


def test_the_thresholds_page_says_why_it_refused(client_for, people):
    client = client_for(people["admin"])
    response = client.post(reverse("listening:thresholds"), {
        "version": "1", "negative_share_elevated": "0.6", "negative_share_high": "0.5", "exit_band_pct": "10",
        "calm_checkpoints": "3", "calm_minutes": "30", "baseline_band_pct": "10", "baseline_share_points": "2",
        "baseline_hold_minutes": "1440"})
    assert response.status_code == 400 and "further from calm" in response.content.decode()
    assert not ListeningThresholds.objects.exists()


def test_a_commander_cannot_change_the_thresholds(client_for, people):
    client = client_for(people["commander"])
    assert "Only an admin can change these." in client.get(reverse("listening:thresholds")).content.decode()
    assert client.post(reverse("listening:thresholds"), {"version": "1"}).status_code == 403


def test_the_dashboard_shows_the_level_and_the_suggestion(client_for, people, hot):
    page = client_for(people["viewer"]).get(reverse("crisis:home")).content.decode()
    assert "Sentiment level: High" in page and "suggests SEV2" in page
