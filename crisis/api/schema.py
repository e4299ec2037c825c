"""How the API describes itself: operation names, and the error answers every operation can give."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, get_doc
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from .fields import StrictInput

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# What DRF's CharField takes: never a NUL character, and when blanks are refused, something besides white space
# (it trims first, then finds nothing). Python's \s is str.isspace, which is what str.strip() removes.
ANY_TEXT = r"^[^\x00]*$"
NON_BLANK_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"


class ErrorDetailOut(serializers.Serializer):
    code = serializers.CharField(help_text=_("A stable code for programs, such as invalid or conflict."))
    message = serializers.CharField(help_text=_("The reason, for people, in the request's language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Each refused field (points[3].negative_share) and its reasons; empty when no field is to blame."),
    )


class ErrorOut(serializers.Serializer):
    """The one shape of every error answer (crisis.api.errors.error_body)."""

    error = ErrorDetailOut()


class ApiAutoSchema(AutoSchema):
    """Names nested serializers after their view, and declares the errors an operation can answer.

    The errors are declared here once, from what the operation is (a write, a body, path or query parameters,
    credentials asked), because they come from layers every view shares: the parser, authentication,
    permissions, the throttle, the idempotency claim, the services' domain errors (crisis.api.errors).
    A view declares an error itself only to say more about it; this never overrides that.
    """

    def get_serializer_name(self, serializer, direction):
        name = super().get_serializer_name(serializer, direction)
        qualname = type(serializer).__qualname__
        if "." in qualname:
            owner = qualname.split(".")[0].removesuffix("View")
            return f"{owner}{name}"
        if isinstance(serializer, ErrorOut):
            return "Error"
        if isinstance(serializer, ErrorDetailOut):
            return "ErrorDetail"
        return name

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # drf-spectacular marks a body required only for a plain serializer with required fields. A body of
        # several shapes (each with required fields) or given as a raw schema (the import document) is required
        # just the same: without one the answer is a 400, which Schemathesis rightly counts against the schema.
        if not required and schema is not None and self.method != "PATCH":
            if isinstance(serializer, PolymorphicProxySerializer):
                shapes = serializer.serializers
                required = all(any(field.required for field in force_instance(shape).fields.values())
                               for shape in (shapes.values() if isinstance(shapes, dict) else shapes))
            elif isinstance(serializer, dict):
                required = bool(serializer.get("required"))
        return schema, required

    def get_description(self) -> str:
        # The view's own docstring or its method's, never one inherited from ApiView (it is about the code).
        method = getattr(self.view, self.method.lower(), None)
        own_doc = self.view.__class__.__dict__.get("__doc__")
        return get_doc(method) or (get_doc(self.view.__class__) if own_doc else "")

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if not type(serializer).__dict__.get("__doc__"):
            schema.pop("description", None)  # a base class's docstring is about the code, not this body
        if direction == "request" and isinstance(serializer, StrictInput):
            schema["additionalProperties"] = False  # StrictInput answers 400 to a field it does not know
        one_of = getattr(serializer, "schema_needs_one_of", ())
        if direction == "request" and one_of:
            # At least one of these, and not null: each branch repeats the property's type without "nullable".
            properties = schema["properties"]
            schema["anyOf"] = [{"required": [name], "properties": {name: {"type": properties[name]["type"]}}}
                               for name in one_of]
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.CharField) and schema.get("type") == "string":
            text_schema_refine(schema, field, direction)
        return schema

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and self.filter_takes_empty(parameter["name"]):
                parameter["allowEmptyValue"] = True
        error = self.resolve_serializer(ErrorOut(), "response").ref
        for code, description in self.error_statuses(operation):
            response = {"description": str(description), "content": {"application/json": {"schema": error}}}
            if code == 429:
                response["headers"] = {"Retry-After": {
                    "schema": {"type": "integer"}, "description": str(_("Seconds until the budget is renewed.")),
                }}
            operation["responses"].setdefault(str(code), response)
        return operation

    def filter_takes_empty(self, name: str) -> bool:
        """Whether the view's filters read ``name=`` as no filter (django-filter does, for most) or refuse it."""
        filterset_class = getattr(self.view, "filterset_class", None)
        if filterset_class is None or name not in filterset_class.base_filters:
            return False
        # Asked of the filter set itself, as DjangoFilterBackend does for a request: no list to keep in step.
        queryset = filterset_class._meta.model._default_manager.none()
        return filterset_class(QueryDict(f"{name}="), queryset=queryset).is_valid()

    def error_statuses(self, operation: dict) -> list[tuple[int, str]]:
        parameters = operation.get("parameters", [])
        located = {parameter["in"] for parameter in parameters}
        is_write = self.method in WRITE_METHODS
        is_public = not self.view.authentication_classes and all(
            permission is AllowAny for permission in self.view.permission_classes
        )
        # A public operation that asks for a credential of its own (the webhook's signature) refuses it with 401.
        asks_credentials = not is_public or any(p["in"] == "header" and p.get("required") for p in parameters)
        statuses = []
        if is_write or "query" in located:
            statuses.append((400, _("The request is malformed or a field is refused: error.fields names each.")))
        if asks_credentials:
            statuses.append((401, _("No credentials, or credentials that are not valid.")))
        if not is_public:
            statuses.append((403, _("The credentials are valid but may not do this.")))
        if is_write or "path" in located:
            statuses.append((404, _("Not found, or not visible to you: the two look the same.")))
        statuses.append((406, _("The Accept header asks for something other than JSON.")))
        if is_write:
            statuses.append((409, _("A conflict: the object changed since you read it (a stale version), or it is "
                                    "not in a state that allows this.")))
        if "requestBody" in operation:
            statuses.append((415, _("The body is not JSON (Content-Type: application/json).")))
        if self.method == "POST":
            statuses.append((422, _("This Idempotency-Key was already used for a different request.")))
        if self.view.throttle_classes:
            statuses.append((429, _("Too many requests: wait for Retry-After seconds.")))
        return statuses


def text_schema_refine(schema: dict, field: serializers.CharField, direction: str) -> None:
    """Say in the schema what the text field refuses: blanks, NUL characters, what its own pattern says."""
    own_pattern = getattr(field, "schema_pattern", None)
    if own_pattern:
        schema.pop("format", None)
        schema["pattern"] = own_pattern
    if direction != "request" or field.read_only:
        return
    if not field.allow_blank:
        schema.setdefault("minLength", 1)
    if "pattern" not in schema and "format" not in schema:
        schema["pattern"] = ANY_TEXT if field.allow_blank else NON_BLANK_TEXT
