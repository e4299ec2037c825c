"""Livestream comments, livestream negative share and minutes on the hot-search list, through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from crisis.models import Incident, SentimentCheckpoint, TimelineEvent
from crisis.services.sentiment import sentiment_checkpoint_correct, sentiment_checkpoint_record
from tests.scenarios import night_crisis as crisis

pytestmark = pytest.mark.django_db

NEW = {"livestream_comment_count": 48000, "livestream_negative_share": 0.83, "hot_search_minutes": 95}


def _url(incident):
    return f"/api/v1/incidents/{incident.pk}/checkpoints/"


def _point(minutes=5, **fields):
    return {"measured_at": (timezone.now() - timedelta(minutes=minutes)).isoformat(), "source": "Douyin live",
            **fields}


def test_it_records_and_returns_the_livestream_and_hot_search_measures(api_as, open_incident, people):
    incident = open_incident()
    response = api_as(people["responder"]).post(_url(incident), _point(**NEW), format="json")

    assert response.status_code == 201, response.json()
    assert {key: response.json()[key] for key in NEW} == NEW
    checkpoint = SentimentCheckpoint.objects.get(pk=response.json()["id"])
    assert (checkpoint.livestream_comment_count, checkpoint.livestream_negative_share,
            checkpoint.hot_search_minutes) == (48000, 0.83, 95)


def test_it_takes_a_livestream_measure_alone_as_a_checkpoint(api_as, open_incident, people):
    incident = open_incident()
    response = api_as(people["responder"]).post(_url(incident), _point(hot_search_minutes=0), format="json")

    assert response.status_code == 201, response.json()


def test_it_does_not_add_the_livestream_share_to_the_platform_shares(api_as, open_incident, people):
    # The livestream's own audience: 90 % negative there beside 70 % negative on the platform is not 160 %.
    incident = open_incident()
    response = api_as(people["responder"]).post(
        _url(incident), _point(negative_share=0.7, positive_share=0.3, livestream_negative_share=0.9), format="json")

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(("field", "value"), [
    ("livestream_comment_count", -1), ("livestream_comment_count", 2**31), ("livestream_comment_count", 1.5),
    ("livestream_negative_share", 1.01), ("livestream_negative_share", -0.1), ("livestream_negative_share", "lots"),
    ("hot_search_minutes", -5), ("hot_search_minutes", 525_601), ("hot_search_minutes", "2h"),
])
def test_it_refuses_a_measure_out_of_bounds_and_writes_nothing(api_as, open_incident, people, field, value):
    incident = open_incident()
    events = TimelineEvent.objects.filter(incident=incident).count()
    response = api_as(people["responder"]).post(_url(incident), _point(mention_volume=10, **{field: value}),
                                                format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not SentimentCheckpoint.objects.filter(incident=incident).exists()
    assert TimelineEvent.objects.filter(incident=incident).count() == events


def test_the_service_refuses_out_of_bounds_whatever_calls_it(open_incident, people):
    incident = open_incident()
    with pytest.raises(Exception, match="at most") as caught:
        sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Douyin live",
                                    measured_at=timezone.now(), livestream_negative_share=3)
    assert "livestream_negative_share" in caught.value.fields
    assert not SentimentCheckpoint.objects.exists()


def test_a_bulk_ingest_with_one_bad_livestream_value_writes_nothing(api_as, open_incident, people):
    incident = open_incident()
    points = [_point(**NEW), _point(hot_search_minutes=-1)]
    response = api_as(people["responder"]).post(f"{_url(incident)}bulk/", {"points": points}, format="json")

    assert response.status_code == 400
    assert "points[1].hot_search_minutes" in response.json()["error"]["fields"]
    assert not SentimentCheckpoint.objects.exists()


def test_a_correction_keeps_the_measures_it_does_not_name(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    original = client.post(_url(incident), _point(negative_share=0.6, **NEW), format="json").json()
    response = client.post(f"/api/v1/checkpoints/{original['id']}/correct/",
                           {"hot_search_minutes": 120, "reason": "The list was still up"}, format="json")

    assert response.status_code == 201, response.json()
    corrected = response.json()
    assert corrected["hot_search_minutes"] == 120
    assert (corrected["livestream_comment_count"], corrected["livestream_negative_share"],
            corrected["negative_share"]) == (48000, 0.83, 0.6)


def test_a_correction_can_clear_a_measure_and_refuses_a_bad_one(open_incident, people):
    incident = open_incident()
    original = sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Douyin live",
                                           measured_at=timezone.now(), mention_volume=5, **NEW)
    with pytest.raises(Exception, match="at least 0"):
        sentiment_checkpoint_correct(checkpoint=original, actor=people["responder"], livestream_comment_count=-3)
    assert SentimentCheckpoint.objects.count() == 1
    correction = sentiment_checkpoint_correct(checkpoint=original, actor=people["responder"],
                                              livestream_negative_share=None)
    assert correction.livestream_negative_share is None
    assert correction.livestream_comment_count == 48000


def test_the_timeline_line_names_the_new_measures(open_incident, people):
    incident = open_incident()
    checkpoint = sentiment_checkpoint_record(incident=incident, actor=people["responder"], source="Douyin live",
                                             measured_at=timezone.now(), **NEW)
    event = TimelineEvent.objects.get(incident=incident, metadata__checkpoint_id=checkpoint.pk)
    assert "livestream comments 48000" in event.body
    assert "livestream negative 83%" in event.body
    assert "on hot search 95 min" in event.body


def test_the_openapi_schema_states_the_bounds():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["CheckpointInput"]["properties"]
    assert (fields["livestream_comment_count"]["minimum"], fields["livestream_comment_count"]["maximum"]) \
        == (0, 2**31 - 1)
    assert (fields["livestream_negative_share"]["minimum"], fields["livestream_negative_share"]["maximum"]) == (0, 1)
    assert (fields["hot_search_minutes"]["minimum"], fields["hot_search_minutes"]["maximum"]) == (0, 525_600)
    out = schema["components"]["schemas"]["SentimentCheckpointOut"]["properties"]
    assert {"livestream_comment_count", "livestream_negative_share", "hot_search_minutes"} <= set(out)


def test_a_json_import_carries_the_new_measures(api_as, org, people, time_machine):
    time_machine.move_to(crisis.at(60 * 24 * 240), tick=False)
    document = {**crisis.import_document(), "organization": org.pk}
    document["checkpoints"][0].update(livestream_comment_count=5000, livestream_negative_share=0.9,
                                      hot_search_minutes=30)
    response = api_as(people["commander"]).post("/api/v1/incidents/import/", document, format="json")

    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["incident"]["id"])
    first = SentimentCheckpoint.objects.filter(incident=incident).order_by("measured_at").first()
    assert (first.livestream_comment_count, first.livestream_negative_share, first.hot_search_minutes) \
        == (5000, 0.9, 30)


def test_a_json_import_with_a_bad_hot_search_time_writes_nothing(api_as, org, people, time_machine):
    time_machine.move_to(crisis.at(60 * 24 * 240), tick=False)
    document = {**crisis.import_document(), "organization": org.pk}
    document["checkpoints"][1]["hot_search_minutes"] = -1
    response = api_as(people["commander"]).post("/api/v1/incidents/import/", document, format="json")

    assert response.status_code == 400
    assert "checkpoints[1].hot_search_minutes" in response.json()["error"]["fields"]
    assert not Incident.objects.filter(title=document["incident"]["title"]).exists()
