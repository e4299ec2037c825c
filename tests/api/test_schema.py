"""The OpenAPI schema is valid, and Schemathesis finds no request that makes the API answer 5xx."""

from datetime import timedelta

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error

from crisis.api.tokens import webhook_secret_create
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.statements import statement_create
from crisis.services.timeline import timeline_event_log

pytestmark = pytest.mark.django_db


def test_it_serves_a_valid_openapi_schema():
    from drf_spectacular.validation import validate_schema

    response = APIClient().get("/api/schema/", {"format": "json"})
    schema = response.json()
    validate_schema(schema)

    assert response.status_code == 200
    assert "/api/v1/incidents/{incident_id}/events/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_it_serves_the_swagger_page():
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.fixture
def api_schema():
    from django.core import signals
    from django.db import close_old_connections

    from config.wsgi import application

    # As Django's test client does: the WSGI handler must not close the connection that holds the test's
    # transaction at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        # Keep the run bounded: every method outside the schema is one Django routine; two of them suffice.
        loaded.config.phases.coverage.unexpected_methods = {"OPTIONS", "PUT"}
        yield loaded
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(org, people, open_incident, token_for):
    """Real records, so generated requests reach the services rather than stopping at 404."""
    incident = open_incident()
    moment = timezone.now() - timedelta(minutes=5)
    admin = people["admin"]
    event = timeline_event_log(incident=incident, actor=admin, body="Seen on Weibo")
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="我们正在核实。")
    checkpoint = sentiment_checkpoint_record(incident=incident, actor=admin, measured_at=moment, source="Weibo",
                                             negative_share=0.5)
    secret = webhook_secret_create(organization=org, actor=admin, name="tool")
    ids = {
        "organization_id": org.pk, "organization_slug": org.slug, "incident_id": incident.pk,
        "event_id": event.pk, "statement_id": statement.pk, "checkpoint_id": checkpoint.pk, "secret_id": secret.pk,
        "deadline_id": incident.deadlines.first().pk, "playbook_id": incident.playbook_id,
    }
    return {"ids": ids, "token": token_for(admin)}


schema = schemathesis.pytest.from_fixture("api_schema")
UNTHROTTLED = {**django_settings.REST_FRAMEWORK,
               "DEFAULT_THROTTLE_RATES": {"per_token": "100000/min", "webhook": "100000/min"}}


@schema.parametrize()
@settings(max_examples=3, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_it_never_answers_5xx(case, world):
    # Real ids most of the time; the generated ones (mostly 404s) are covered by the tenancy test.
    for name in list(case.path_parameters or {}):
        if name in world["ids"]:
            case.path_parameters[name] = world["ids"][name]
    headers = {"Authorization": f"Bearer {world['token']}"}
    with override_settings(REST_FRAMEWORK=UNTHROTTLED):
        response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error], headers=headers)
    assert response.status_code < 500
