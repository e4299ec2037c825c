"""The OpenAPI schema is valid, and Schemathesis finds no request that makes the API answer 5xx."""

from datetime import timedelta

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from crisis.api.models import ApiToken
from crisis.api.tokens import webhook_secret_create
from crisis.oncall.services.pages import page_trigger
from crisis.reports.services import action_item_create, report_request
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


@pytest.fixture(scope="module")
def openapi():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(openapi, schema: dict) -> dict:
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize("component, field", [
    ("IncidentAcknowledgeInput", "acknowledged_at"),
    ("IncidentTransitionInput", "occurred_at"),
    ("DeadlineMarkMetInput", "happened_at"),
    ("StatementPublishInput", "published_at"),
    ("IncidentEventListCreateInput", "occurred_at"),
])
def test_it_documents_each_happened_at_time_as_defaulting_to_now(openapi, component, field):
    schema = openapi["components"]["schemas"][component]

    assert schema["properties"][field]["description"] == "When it happened (defaults to now)."
    assert schema["properties"][field]["format"] == "date-time"
    assert field not in schema.get("required", [])


def _channel_properties(openapi):
    for name, component in openapi["components"]["schemas"].items():
        for field, prop in component.get("properties", {}).items():
            if "channel" in field:
                yield name, field, prop


def test_it_lists_the_channel_names_wherever_a_channel_is_taken_or_returned(openapi):
    from crisis.models import Channel

    found = {}
    for name, field, prop in _channel_properties(openapi):
        prop = prop.get("items", prop)
        refs = [part["$ref"] for part in (prop, *prop.get("oneOf", []), *prop.get("allOf", [])) if "$ref" in part]
        found[f"{name}.{field}"] = refs
        assert refs == ["#/components/schemas/ChannelEnum"], (name, field, prop)
    assert set(openapi["components"]["schemas"]["ChannelEnum"]["enum"]) == set(Channel.values)
    assert {"IncidentOut.affected_channels", "StatementOut.channel", "StepInput.channel"} <= set(found)


def test_it_accepts_an_acknowledgement_as_an_event_kind(openapi):
    prop = openapi["components"]["schemas"]["IncidentEventListCreateInput"]["properties"]["kind"]

    assert "acknowledgement" in _resolve(openapi, prop["allOf"][0])["enum"]


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
    page = page_trigger(incident=incident, actor=admin, title="Call the desk")
    item = action_item_create(incident=incident, actor=admin, title="Pre-approve holding statements")
    report_file = report_request(incident=incident, actor=admin, format="md")
    token = token_for(admin)
    ids = {
        "organization_id": org.pk, "organization_slug": org.slug, "incident_id": incident.pk,
        "event_id": event.pk, "statement_id": statement.pk, "checkpoint_id": checkpoint.pk, "secret_id": secret.pk,
        "deadline_id": incident.deadlines.first().pk, "playbook_id": incident.playbook_id, "page_id": page.pk,
        "membership_id": admin.memberships.get(organization=org).pk,
        "token_id": ApiToken.objects.get(user=admin).pk,
        "action_item_id": item.pk, "report_file_id": report_file.pk,
    }
    # People named in a body must be members (a 400 naming the field otherwise): drawn ids never are.
    people_ids = {"commander": people["commander"].pk, "spokesperson": people["approver"].pk,
                  "owner": people["responder"].pk}
    return {"ids": ids, "token": token, "people": people_ids}


# What the schema cannot say, the run supplies. Times: a happened-at time is judged against the incident (not in
# the future, not a month before its first public signal), so drawn times are from the last hour.
schemathesis.openapi.format("date-time", st.integers(60, 3600).map(
    lambda seconds: (timezone.now() - timedelta(seconds=seconds)).isoformat()))
# The import document's own JSON Schema (draft 2020-12) is published at /api/v1/incidents/import/schema/ and
# tested in tests/services/test_imports.py; the API schema declares the body as an object only.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(method="POST", path="/api/v1/incidents/import/")
# Inviting a member takes "a username or an email, exactly one": a rule across two fields the schema does not state.
schema = schema.exclude(method="POST", path="/api/v1/organizations/{organization_id}/members/")
SHARES = ("negative_share", "neutral_share", "positive_share")
UNTHROTTLED = {**django_settings.REST_FRAMEWORK,
               "DEFAULT_THROTTLE_RATES": {"per_token": "100000/min", "webhook": "100000/min"}}


@pytest.mark.slow  # about 3 to 5 minutes on a shared machine
@schema.parametrize()
@settings(max_examples=3, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_it_answers_every_request_as_its_schema_says(case, world):
    if case.meta is not None and case.meta.generation.mode.is_positive:
        # Real ids, so that valid requests reach the services; a negative case keeps its broken id (a 404).
        for name in list(case.path_parameters or {}):
            if name in world["ids"]:
                case.path_parameters[name] = world["ids"][name]
        # A cursor is valid only if the list gave it out (anything else is a 400); a drawn one never was.
        if case.query:
            case.query.pop("cursor", None)
        if isinstance(case.body, dict):
            for field, person in world["people"].items():
                if isinstance(case.body.get(field), int):
                    case.body[field] = person
        # Shares of one measurement add up to at most 1 (a rule across fields): drawn ones rarely do.
        points = case.body.get("points", [case.body]) if isinstance(case.body, dict) else []
        for point in points:
            if isinstance(point, dict) and sum(point.get(f) or 0 for f in SHARES) > 1:
                point.update({f: None for f in SHARES if f in point and f != "negative_share"})
        # An edit names the version it was made on, in the body or in If-Match (a 400 without either): a rule
        # across two places no schema can state. An old version is fine: the answer is a 409, as declared.
        is_edit = case.method == "PATCH" and any(p.name == "If-Match" for p in case.operation.headers)
        if is_edit and "version" not in (case.body or {}) and "If-Match" not in (case.headers or {}):
            case.headers = {**(case.headers or {}), "If-Match": '"1"'}
    headers = {"Authorization": f"Bearer {world['token']}"}
    with override_settings(REST_FRAMEWORK=UNTHROTTLED):
        response = case.call(headers=headers)
    # Every check: no 5xx, only declared statuses and headers, bodies as declared, valid data accepted,
    # invalid data refused, credentials required where declared, undeclared methods answered 405.
    case.validate_response(response, headers=headers)
