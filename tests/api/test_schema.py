"""The OpenAPI schema is valid and says what tools need; test_contract_live.py holds the API to it."""


import pytest
from rest_framework.test import APIClient

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
