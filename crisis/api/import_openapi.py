"""The import document's own JSON Schema, as an OpenAPI 3.0 request schema, so that the API schema describes the
body exactly instead of "an object": one source (crisis/schema/incident-import-v1.schema.json), two dialects."""

from functools import cache
from typing import Any

from crisis.services.imports import import_schema

# JSON Schema keywords with no place in an OpenAPI 3.0 schema object.
DROPPED = frozenset({"$schema", "$id", "$defs"})


def _rewrite(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        # The document's definitions are two small ones (a moment, a channel): inlined, they need no components.
        return _rewrite(definitions[node["$ref"].rsplit("/", 1)[1]], definitions)
    out = {}
    for key, value in node.items():
        if key in DROPPED:
            continue
        if key == "const":
            out["enum"] = [value]
        elif key in ("properties", "patternProperties"):
            out[key] = {name: _rewrite(sub, definitions) for name, sub in value.items()}
        else:
            out[key] = _rewrite(value, definitions)
    return out


@cache
def import_request_schema() -> dict[str, Any]:
    document = import_schema()
    schema = _rewrite(document, document.get("$defs", {}))
    # The command takes the organization as an option; the API has only the body to say which.
    schema["required"] = [*schema["required"], "organization"]
    return schema
