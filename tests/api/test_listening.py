"""/api/v1/: sentiment level and its suggestion, apply and dismiss, the baseline, and the thresholds."""

import pytest

from crisis.listening.models import ListeningThresholds, SuggestionDecision
from crisis.listening.models.thresholds import DEFAULTS
from crisis.models import Incident
from tests.listening.conftest import hot_incident, record  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
SETTINGS = {"exit_band_pct": 10, "calm_checkpoints": 3, "calm_minutes": 30, "baseline_band_pct": 10,
            "baseline_share_points": 2.0, "baseline_hold_minutes": 1440}


@pytest.fixture
def hot(hot_incident):  # noqa: F811  (the imported fixture)
    return hot_incident()


def test_it_shows_the_level_and_the_suggestion_with_its_figures(api_as, people, hot):
    body = api_as(people["viewer"]).get(f"/api/v1/incidents/{hot.pk}/sentiment-level/").json()
    assert (body["level"], body["severity"], body["last_decision"]) == (2, 3, None)
    assert body["suggestion"]["suggested_severity"] == 2
    assert body["suggestion"]["figures"][0]["measure"] == "negative_share"


def test_apply_raises_the_severity(api_as, people, hot):
    client = api_as(people["commander"])
    seen = client.get(f"/api/v1/incidents/{hot.pk}/sentiment-level/").json()["suggestion"]
    response = client.post(f"/api/v1/incidents/{hot.pk}/sentiment-level/apply/",
                           {"level": seen["level"], "level_entered_at": seen["level_entered_at"]}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["severity"], response.json()["suggestion"]) == (2, None)
    assert response.json()["last_decision"]["outcome"] == "applied"
    assert Incident.objects.get(pk=hot.pk).severity == 2


def test_dismiss_without_a_reason_is_a_400_and_writes_nothing(api_as, people, hot):
    seen = api_as(people["commander"]).get(f"/api/v1/incidents/{hot.pk}/sentiment-level/").json()["suggestion"]
    response = api_as(people["commander"]).post(f"/api/v1/incidents/{hot.pk}/sentiment-level/dismiss/",
                                                {"level": 2, "level_entered_at": seen["level_entered_at"]},
                                                format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    assert not SuggestionDecision.objects.exists()


def test_the_loser_of_apply_against_dismiss_gets_a_409(api_as, people, hot):
    client = api_as(people["commander"])
    seen = client.get(f"/api/v1/incidents/{hot.pk}/sentiment-level/").json()["suggestion"]
    body = {"level": 2, "level_entered_at": seen["level_entered_at"]}
    assert client.post(f"/api/v1/incidents/{hot.pk}/sentiment-level/dismiss/", {**body, "reason": "no"},
                       format="json").status_code == 200
    response = client.post(f"/api/v1/incidents/{hot.pk}/sentiment-level/apply/", body, format="json")
    assert response.status_code == 409
    assert Incident.objects.get(pk=hot.pk).severity == 3


def test_the_baseline(api_as, people, hot):
    body = api_as(people["viewer"]).get(f"/api/v1/incidents/{hot.pk}/baseline/").json()
    assert body["baseline_before_signal"] and not body["proposes_ending"]
    assert body["distances"][0] | {"current_at": None} == {
        "source": "weibo", "measure": "negative_share", "baseline": 0.2, "current": 0.6, "current_at": None,
        "difference": pytest.approx(0.4), "relative": pytest.approx(2.0), "is_back": False}


def test_thresholds_read_and_compare_and_set(api_as, people, org):
    client = api_as(people["admin"])
    url = f"/api/v1/organizations/{org.pk}/listening-thresholds/"
    assert client.get(url).json()["version"] == 1
    response = client.put(url, {**DEFAULTS, **SETTINGS, "negative_share_high": 0.5, "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["negative_share_high"], response.json()["version"]) == (0.5, 2)
    stale = client.put(url, {**DEFAULTS, **SETTINGS, "version": 1}, format="json")
    assert stale.status_code == 409
    assert ListeningThresholds.objects.get().negative_share_high == 0.5


def test_thresholds_bad_input_is_a_400_naming_the_field(api_as, people, org):
    response = api_as(people["admin"]).put(f"/api/v1/organizations/{org.pk}/listening-thresholds/",
                                           {**DEFAULTS, **SETTINGS, "negative_share_high": 0.2, "version": 1},
                                           format="json")
    assert response.status_code == 400 and "negative_share_high" in response.json()["error"]["fields"]
    assert not ListeningThresholds.objects.exists()


def test_another_organization_sees_nothing(api_as, people, hot, org):
    client = api_as(people["outsider"])
    assert client.get(f"/api/v1/incidents/{hot.pk}/sentiment-level/").status_code == 404
    assert client.get(f"/api/v1/organizations/{org.pk}/listening-thresholds/").status_code == 404
