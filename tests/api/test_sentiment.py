from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.models import SentimentCheckpoint

pytestmark = pytest.mark.django_db


def _point(minutes=5, **overrides):
    point = {"measured_at": (timezone.now() - timedelta(minutes=minutes)).isoformat(), "source": "Weibo",
             "mention_volume": 12000, "negative_share": 0.71, "neutral_share": 0.2, "positive_share": 0.09,
             "trending_rank": 3, "follower_change": -60000}
    point.update(overrides)
    return point


def test_it_records_a_checkpoint(api_as, open_incident, people):
    incident = open_incident()
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/checkpoints/", _point(),
                                                format="json")

    assert response.status_code == 201, response.json()
    assert SentimentCheckpoint.objects.get(pk=response.json()["id"]).trending_rank == 3


def test_it_ingests_a_thousand_points_in_one_request(api_as, open_incident, people):
    incident = open_incident()
    points = [_point(minutes=9, mention_volume=n) for n in range(1000)]
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/checkpoints/bulk/",
                                                {"points": points}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["count"] == 1000
    assert SentimentCheckpoint.objects.filter(incident=incident).count() == 1000


def test_it_refuses_more_than_a_thousand_points(api_as, open_incident, people):
    incident = open_incident()
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/checkpoints/bulk/",
                                                {"points": [_point()] * 1001}, format="json")

    assert response.status_code == 400
    assert SentimentCheckpoint.objects.count() == 0


def test_it_ingests_nothing_when_one_point_is_bad(api_as, open_incident, people):
    incident = open_incident()
    points = [_point(), _point(negative_share=0.9, positive_share=0.5), _point()]
    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/checkpoints/bulk/",
                                                {"points": points}, format="json")

    assert response.status_code == 400
    assert "points[1].negative_share" in response.json()["error"]["fields"]
    assert SentimentCheckpoint.objects.count() == 0


def test_it_corrects_a_checkpoint(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    original = client.post(f"/api/v1/incidents/{incident.pk}/checkpoints/", _point(), format="json").json()
    response = client.post(f"/api/v1/checkpoints/{original['id']}/correct/",
                           {"trending_rank": 1, "reason": "Misread the list"}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["corrects"] == original["id"]
    assert response.json()["trending_rank"] == 1
    assert SentimentCheckpoint.objects.get(pk=original["id"]).trending_rank == 3


def test_it_filters_checkpoints_by_source(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    client.post(f"/api/v1/incidents/{incident.pk}/checkpoints/", _point(source="Weibo"), format="json")
    client.post(f"/api/v1/incidents/{incident.pk}/checkpoints/", _point(source="Douyin"), format="json")
    response = client.get(f"/api/v1/incidents/{incident.pk}/checkpoints/", {"source": "Douyin"})

    assert [row["source"] for row in response.json()["results"]] == ["Douyin"]
