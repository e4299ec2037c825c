import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from crisis.api.models import WebhookSecret
from crisis.api.tokens import webhook_secret_create
from crisis.api.views.webhooks import webhook_signature
from crisis.models import AuditEntry, SentimentCheckpoint

pytestmark = pytest.mark.django_db

NOW = "2026-03-01T02:00:00+00:00"


@pytest.fixture
def secret(org, people):
    return webhook_secret_create(organization=org, actor=people["admin"], name="Listening tool")


@pytest.fixture
def incident(open_incident):
    with time_machine.travel(NOW, tick=False):
        return open_incident()


def _body(incident, **point):
    measured = (timezone.now() - timedelta(minutes=1)).isoformat()
    return json.dumps({"incident": incident.pk,
                       "points": [{"measured_at": measured, "source": "Weibo", "negative_share": 0.64, **point}]})


def _send(org, body: str, *, secret: str, timestamp: int | None = None, signature: str | None = None):
    timestamp = int(timezone.now().timestamp()) if timestamp is None else timestamp
    signature = signature or "sha256=" + webhook_signature(secret, str(timestamp), body.encode())
    return APIClient().generic(
        "POST", f"/api/v1/hooks/{org.slug}/sentiment/", body, content_type="application/json",
        HTTP_X_GOLDEN_HOURS_TIMESTAMP=str(timestamp), HTTP_X_GOLDEN_HOURS_SIGNATURE=signature,
    )


def test_it_ingests_signed_points(org, secret, incident):
    with time_machine.travel(NOW, tick=False):
        response = _send(org, _body(incident), secret=secret.secret)

    assert response.status_code == 201, response.json()
    checkpoint = SentimentCheckpoint.objects.get()
    assert checkpoint.recorded_by is None
    assert AuditEntry.objects.get(action="sentiment.record").via == "webhook"


def test_it_refuses_a_wrong_signature(org, secret, incident):
    with time_machine.travel(NOW, tick=False):
        response = _send(org, _body(incident), secret="whsec_guess")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "signature_invalid"
    assert not SentimentCheckpoint.objects.exists()


def test_it_refuses_a_tampered_body(org, secret, incident):
    with time_machine.travel(NOW, tick=False):
        body = _body(incident)
        timestamp = int(timezone.now().timestamp())
        signature = "sha256=" + webhook_signature(secret.secret, str(timestamp), body.encode())
        response = _send(org, body.replace("0.64", "0.04"), secret=secret.secret, timestamp=timestamp,
                         signature=signature)

    assert response.status_code == 401
    assert not SentimentCheckpoint.objects.exists()


def test_it_refuses_a_replay_of_an_accepted_request(org, secret, incident):
    with time_machine.travel(NOW, tick=False):
        body = _body(incident)
        first = _send(org, body, secret=secret.secret)
        replay = _send(org, body, secret=secret.secret)

    assert first.status_code == 201
    assert replay.status_code == 409
    assert SentimentCheckpoint.objects.count() == 1


def test_it_refuses_a_request_signed_outside_the_window(org, secret, incident):
    with time_machine.travel(NOW, tick=False):
        body = _body(incident)
        stale = int(timezone.now().timestamp()) - 6 * 60
        response = _send(org, body, secret=secret.secret, timestamp=stale)

    assert response.status_code == 401
    assert not SentimentCheckpoint.objects.exists()


def test_it_refuses_an_incident_of_another_organization(org, secret, people):
    from crisis.services.incidents import incident_open

    with time_machine.travel(NOW, tick=False):
        foreign = incident_open(organization=people["outsider"].memberships.get().organization,
                                actor=people["outsider"], title="Other brand",
                                first_public_signal_at=timezone.now() - timedelta(minutes=5))
        response = _send(org, _body(foreign), secret=secret.secret)

    assert response.status_code == 404
    assert not SentimentCheckpoint.objects.exists()


def test_it_refuses_a_revoked_secret(org, secret, incident, people):
    from crisis.api.tokens import webhook_secret_revoke

    webhook_secret_revoke(secret=secret, actor=people["admin"])
    with time_machine.travel(NOW, tick=False):
        response = _send(org, _body(incident), secret=secret.secret)

    assert response.status_code == 401


def test_it_rejects_bad_points_after_a_valid_signature(org, secret, incident):
    with time_machine.travel(NOW, tick=False):
        response = _send(org, _body(incident, negative_share=7), secret=secret.secret)

    assert response.status_code == 400
    assert "points[0].negative_share" in response.json()["error"]["fields"]
    assert not SentimentCheckpoint.objects.exists()


def test_it_shows_a_new_secret_once_to_admins_only(api_as, org, people):
    created = api_as(people["admin"]).post(f"/api/v1/organizations/{org.pk}/webhook-secrets/",
                                           {"name": "Tool"}, format="json")
    listed = api_as(people["admin"]).get(f"/api/v1/organizations/{org.pk}/webhook-secrets/")
    refused = api_as(people["commander"]).post(f"/api/v1/organizations/{org.pk}/webhook-secrets/",
                                               {"name": "Tool"}, format="json")

    assert created.status_code == 201
    assert created.json()["secret"] == WebhookSecret.objects.get().secret
    assert created.json()["url"].endswith(f"/api/v1/hooks/{org.slug}/sentiment/")
    assert "secret" not in listed.json()["results"][0]
    assert refused.status_code == 403
