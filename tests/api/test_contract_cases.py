"""The live contract run keeps drawn times in the past for the fields whose service refuses the future; a new
time field the run does not know about would be drawn anywhere and fail the run by chance, days later."""

import json
import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.api.contract.cases import FALLS_DUE_AT, HAPPENED_AT


def _writable_times(schema: dict) -> set[str]:
    components = schema["components"]["schemas"]
    found, seen = set(), set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        text = json.dumps(components[name])
        for field, spec in (components[name].get("properties") or {}).items():
            if spec.get("format") == "date-time" and not spec.get("readOnly"):
                found.add(field)
        for ref in re.findall(r"#/components/schemas/(\w+)", text):
            visit(ref)

    for operations in schema["paths"].values():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for ref in re.findall(r"#/components/schemas/(\w+)", json.dumps(content)):
                    visit(ref)
    return found


@pytest.mark.django_db
def test_every_writable_time_in_a_request_is_known_to_the_contract_run():
    found = _writable_times(SchemaGenerator().get_schema(request=None, public=True))

    assert "occurred_at" in found and "due_at" in found  # the walk reaches nested and plain bodies
    assert found <= set(HAPPENED_AT) | set(FALLS_DUE_AT), found - set(HAPPENED_AT) - set(FALLS_DUE_AT)
