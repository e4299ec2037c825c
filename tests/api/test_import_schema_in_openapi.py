"""The import body in the API schema is the import document's own JSON Schema, not "an object": a tool that
reads the OpenAPI document knows every field, and a document the published JSON Schema refuses, it refuses too."""

import copy

import jsonschema
import pytest

from crisis.api.import_openapi import import_request_schema
from crisis.api.views.imports import EXAMPLE
from crisis.services.imports import import_schema


@pytest.fixture(scope="module")
def body_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema["paths"]["/api/v1/incidents/import/"]["post"]["requestBody"]["content"]["application/json"]["schema"]


def test_it_publishes_the_document_schema_as_the_request_body(body_schema):
    assert body_schema == import_request_schema()
    assert body_schema["additionalProperties"] is False
    assert set(body_schema["properties"]) == set(import_schema()["properties"])
    assert "$ref" not in str(body_schema) and "$defs" not in body_schema


def test_it_requires_the_organization_in_the_api_only(body_schema):
    assert "organization" in body_schema["required"]
    assert "organization" not in import_schema()["required"]


def test_it_accepts_the_documented_example(body_schema):
    jsonschema.validate(EXAMPLE, body_schema)


@pytest.mark.parametrize("break_it", [
    lambda doc: doc.update(format="golden-hours/incident-import/2"),
    lambda doc: doc["incident"].update(first_public_signal_at="yesterday"),
    lambda doc: doc["statements"][0].update(channel="myspace"),
    lambda doc: doc.update(unknown=1),
])
def test_it_refuses_what_the_published_schema_refuses(body_schema, break_it):
    document = copy.deepcopy(EXAMPLE)
    break_it(document)

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, import_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, body_schema)
