from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.models import TimelineEvent

pytestmark = pytest.mark.django_db


def test_it_logs_a_back_dated_event(api_as, open_incident, people):
    incident = open_incident()
    occurred = timezone.now() - timedelta(minutes=5)
    response = api_as(people["responder"]).post(
        f"/api/v1/incidents/{incident.pk}/events/",
        {"kind": "observation", "body": "Video passes 1M views on Douyin", "occurred_at": occurred.isoformat(),
         "source_url": "https://example.com/v/1"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    event = TimelineEvent.objects.get(pk=response.json()["id"])
    assert event.occurred_at == occurred
    assert event.actor == people["responder"]


def test_it_filters_the_timeline_by_kind_and_time(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    now = timezone.now()
    for minutes, kind in ((8, "observation"), (6, "decision"), (2, "observation")):
        occurred_at = (now - timedelta(minutes=minutes)).isoformat()
        client.post(f"/api/v1/incidents/{incident.pk}/events/",
                    {"kind": kind, "body": f"{kind} {minutes}", "occurred_at": occurred_at}, format="json")
    response = client.get(
        f"/api/v1/incidents/{incident.pk}/events/",
        {"kind": "observation", "occurred_after": (now - timedelta(minutes=7)).isoformat()},
    )

    assert [row["body"] for row in response.json()["results"]] == ["observation 2"]


def test_it_rejects_an_unparseable_time_filter(api_as, open_incident, people):
    incident = open_incident()
    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/events/", {"occurred_after": "soon"})

    assert response.status_code == 400
    assert "occurred_after" in response.json()["error"]["fields"]


def test_it_corrects_an_event_beside_the_original(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    original = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": "3 injured"}, format="json").json()
    correction = client.post(f"/api/v1/events/{original['id']}/correct/",
                             {"body": "2 injured", "reason": "Police update"}, format="json")
    again = client.post(f"/api/v1/events/{original['id']}/correct/", {"body": "1 injured"}, format="json")

    assert correction.status_code == 201
    assert correction.json()["corrects"] == original["id"]
    assert client.get(f"/api/v1/events/{original['id']}/").json()["corrected_by"] == correction.json()["id"]
    assert again.status_code == 409
    assert TimelineEvent.objects.get(pk=original["id"]).body == "3 injured"


def test_it_pins_and_unpins(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    event = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": "Key fact"}, format="json").json()
    pinned = client.post(f"/api/v1/events/{event['id']}/pin/", {"is_pinned": True}, format="json")
    unpinned = client.post(f"/api/v1/events/{event['id']}/pin/", {"is_pinned": False}, format="json")

    assert pinned.json()["is_pinned"] is True
    assert unpinned.json()["is_pinned"] is False
    assert TimelineEvent.objects.get(pk=event["id"]).is_pinned is False


def test_it_pages_the_timeline_with_a_cursor(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    for n in range(5):
        client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": f"event {n}"}, format="json")
    first = client.get(f"/api/v1/incidents/{incident.pk}/events/", {"page_size": 4}).json()
    second = client.get(first["next"]).json()

    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(seen) == 6  # the opening event and five notes
    assert len(set(seen)) == 6
    assert second["next"] is None
