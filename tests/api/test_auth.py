from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from crisis.api.models import ApiToken, token_digest
from crisis.models import AuditEntry, TimelineEvent

pytestmark = pytest.mark.django_db


def _rates(**rates):
    return override_settings(REST_FRAMEWORK={**_current_settings(), "DEFAULT_THROTTLE_RATES": rates})


def _current_settings():
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_it_shows_a_new_token_once_and_stores_only_its_hash(session_as, people):
    client = session_as(people["responder"])
    client.handler.enforce_csrf_checks = False
    created = client.post("/api/v1/tokens/", {"name": "Listening bot", "scopes": ["write", "read"]}, format="json")
    listed = client.get("/api/v1/tokens/")

    raw = created.json()["token"]
    token = ApiToken.objects.get()
    assert created.status_code == 201
    assert token.digest == token_digest(raw)
    assert raw not in str(token.__dict__)
    assert "token" not in listed.json()["results"][0]
    assert listed.json()["results"][0]["scopes"] == ["read", "write"]


def test_it_authenticates_with_a_token_and_notes_when_it_was_used(token_for, people):
    raw = token_for(people["viewer"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get("/api/v1/organizations/", REMOTE_ADDR="198.51.100.4")

    token = ApiToken.objects.get()
    assert response.status_code == 200
    assert token.last_used_at is not None
    assert token.last_used_ip == "198.51.100.4"


def test_it_notes_last_use_at_most_once_a_minute(token_for, people):
    raw = token_for(people["viewer"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with time_machine.travel("2026-03-01T02:00:00+08:00", tick=False):
        client.get("/api/v1/organizations/")
    with time_machine.travel("2026-03-01T02:00:30+08:00", tick=False):
        client.get("/api/v1/organizations/")
    first = ApiToken.objects.get().last_used_at
    with time_machine.travel("2026-03-01T02:01:30+08:00", tick=False):
        client.get("/api/v1/organizations/")

    assert first.isoformat() == "2026-02-28T18:00:00+00:00"
    assert ApiToken.objects.get().last_used_at - first == timedelta(seconds=90)


def test_it_refuses_a_revoked_token(session_as, token_for, people, open_incident):
    incident = open_incident()
    raw = token_for(people["responder"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/incidents/").status_code == 200

    browser = session_as(people["responder"])
    browser.handler.enforce_csrf_checks = False
    revoked = browser.delete(f"/api/v1/tokens/{ApiToken.objects.get().pk}/")
    response = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": "after revocation"}, format="json")

    assert revoked.status_code == 204
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert not TimelineEvent.objects.filter(body="after revocation").exists()
    assert AuditEntry.objects.filter(action="api_token.revoke").exists()


def test_it_refuses_an_unknown_token(open_incident):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer gh_not-a-real-token")
    response = client.get("/api/v1/incidents/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_asks_for_credentials():
    response = APIClient().get("/api/v1/incidents/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_it_keeps_a_read_token_from_writing(api_as, people, open_incident):
    incident = open_incident()
    client = api_as(people["responder"], scopes=["read"])
    read = client.get(f"/api/v1/incidents/{incident.pk}/events/")
    write = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": "x"}, format="json")

    assert read.status_code == 200
    assert write.status_code == 403
    assert not TimelineEvent.objects.filter(body="x").exists()


def test_it_lets_no_token_mint_tokens(api_as, people):
    response = api_as(people["admin"]).post("/api/v1/tokens/", {"name": "escalation"}, format="json")

    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_it_refuses_to_revoke_someone_elses_token(session_as, token_for, people):
    token_for(people["commander"])
    client = session_as(people["admin"])
    client.handler.enforce_csrf_checks = False
    response = client.delete(f"/api/v1/tokens/{ApiToken.objects.get().pk}/")

    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_it_requires_the_csrf_token_for_session_writes(session_as, people, open_incident):
    incident = open_incident()
    client = session_as(people["responder"])
    refused = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": "no csrf"}, format="json")

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    assert not TimelineEvent.objects.filter(body="no csrf").exists()


def test_it_accepts_session_writes_with_the_csrf_token(session_as, people, open_incident):
    incident = open_incident()
    client = session_as(people["responder"])
    client.get("/api/docs/")  # any page that sets the cookie; the web page does the same
    token = _csrf_cookie(client)
    accepted = client.post(f"/api/v1/incidents/{incident.pk}/events/", {"body": "with csrf"}, format="json",
                           HTTP_X_CSRFTOKEN=token)

    assert accepted.status_code == 201, accepted.json()


def _csrf_cookie(client):
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return token


def test_it_throttles_each_token_separately(token_for, people):
    first, second = APIClient(), APIClient()
    first.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(people['viewer'])}")
    second.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(people['viewer'], name='other')}")
    with _rates(per_token="3/min", webhook="3/min"):
        assert api_settings.DEFAULT_THROTTLE_RATES["per_token"] == "3/min"
        statuses = [first.get("/api/v1/organizations/").status_code for _ in range(4)]
        other = second.get("/api/v1/organizations/")

    assert statuses == [200, 200, 200, 429]
    assert other.status_code == 200


def test_it_restores_the_budget_after_the_window(token_for, people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(people['viewer'])}")
    with _rates(per_token="1/min", webhook="1/min"):
        with time_machine.travel("2026-03-01T02:00:00+00:00", tick=False):
            client.get("/api/v1/organizations/")
            limited = client.get("/api/v1/organizations/")
        with time_machine.travel("2026-03-01T02:01:01+00:00", tick=False):
            again = client.get("/api/v1/organizations/")

    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "throttled"
    assert again.status_code == 200
