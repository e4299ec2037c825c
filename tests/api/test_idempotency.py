import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from crisis.api.models import IdempotencyRecord
from crisis.models import Incident, TimelineEvent
from tests.conftest import on_postgres

pytestmark = pytest.mark.django_db


def _log(client, incident, key, body="Video reposted by a big account"):
    return client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": body}, format="json",
                       HTTP_IDEMPOTENCY_KEY=key)


def test_it_replays_the_first_response_to_a_retry(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    first = _log(client, incident, "retry-1")
    retry = _log(client, incident, "retry-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert TimelineEvent.objects.filter(body="Video reposted by a big account").count() == 1


def test_it_replays_an_error_too(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    first = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": ""}, format="json",
                        HTTP_IDEMPOTENCY_KEY="bad-1")
    retry = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": ""}, format="json",
                        HTTP_IDEMPOTENCY_KEY="bad-1")

    assert first.status_code == retry.status_code == 400
    assert retry["Idempotent-Replayed"] == "true"


def test_it_refuses_a_key_reused_for_a_different_request(api_as, open_incident, people):
    incident = open_incident()
    client = api_as(people["responder"])
    _log(client, incident, "same-key", body="first")
    response = _log(client, incident, "same-key", body="something else")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert not TimelineEvent.objects.filter(body="something else").exists()


def test_it_keeps_keys_apart_between_people(api_as, open_incident, people):
    incident = open_incident()
    _log(api_as(people["responder"]), incident, "shared-key")
    response = _log(api_as(people["commander"]), incident, "shared-key")

    assert response.status_code == 201
    assert TimelineEvent.objects.filter(body="Video reposted by a big account").count() == 2


def test_it_creates_one_incident_for_a_retried_create(api_as, org, people, minutes_ago):
    client = api_as(people["responder"])
    body = {"organization": org.pk, "title": "Livestream comments flooded",
            "first_public_signal_at": minutes_ago(3).isoformat()}
    responses = [client.post("/api/v1/incidents/", body, format="json", HTTP_IDEMPOTENCY_KEY="open-1")
                 for _ in range(3)]

    assert {r.json()["id"] for r in responses} == {responses[0].json()["id"]}
    assert Incident.objects.filter(title="Livestream comments flooded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_creates_nothing_twice_under_a_concurrent_duplicate(token_for, open_incident, people):
    if not on_postgres():
        pytest.skip("concurrent transactions need PostgreSQL")
    incident = open_incident()
    raw = token_for(people["responder"])
    barrier = threading.Barrier(4)
    results = []

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        barrier.wait()
        try:
            response = _log(client, incident, "concurrent-1")
            results.append((response.status_code, response.json().get("id")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert TimelineEvent.objects.filter(body="Video reposted by a big account").count() == 1
    assert {status for status, _ in results} == {201}
    assert len({event_id for _, event_id in results}) == 1
    assert IdempotencyRecord.objects.get().status_code == 201


def _session_with_csrf(session_as, user):
    """The web page's way in: a session cookie, and the CSRF token in a header, checked as in production."""
    from django.middleware.csrf import _get_new_csrf_string

    client = session_as(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


def test_it_replays_a_retry_made_with_a_session(session_as, open_incident, people):
    # The CSRF check reads the parsed body before the key's digest needs the raw bytes.
    incident = open_incident()
    client = _session_with_csrf(session_as, people["responder"])
    first = _log(client, incident, "session-1", body="Logged from the desk")
    retry = _log(client, incident, "session-1", body="Logged from the desk")

    assert first.status_code == retry.status_code == 201, first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert TimelineEvent.objects.filter(body="Logged from the desk").count() == 1


def test_it_still_refuses_a_session_post_without_the_csrf_token(session_as, open_incident, people):
    incident = open_incident()
    response = _log(session_as(people["responder"]), incident, "session-2", body="No token")

    assert response.status_code == 403
    assert not TimelineEvent.objects.filter(body="No token").exists()
    assert not IdempotencyRecord.objects.exists()
