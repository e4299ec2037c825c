"""The schema is exact: generated without a warning, every answer the API can give is declared, and what the
serializers refuse (blank text, unknown fields) the schema refuses too."""

import jsonschema_rs
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient


def test_it_generates_the_schema_without_a_single_warning(tmp_path):
    # --fail-on-warn turns every warning (an enum under two names, a hash-named enum, a field it cannot type)
    # into an error: CI holds the schema to this.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


@pytest.fixture(scope="module")
def openapi():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operation(openapi, method: str, path: str) -> dict:
    return openapi["paths"][path][method.lower()]


def _json_schema(node):
    """OpenAPI 3.0 says ``nullable: true`` where JSON Schema says the type may be null."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _validator(openapi, schema: dict):
    # Refs point into the document's components: validate against the document with the schema at its root.
    # Formats are checked, as Schemathesis does (an empty string is not a "uri").
    return jsonschema_rs.validator_for(_json_schema({**schema, "components": openapi["components"]}),
                                      validate_formats=True)


def _assert_documented(openapi, method: str, path: str, response) -> None:
    """The status is one the operation declares, and the body is what the schema says it is."""
    responses = _operation(openapi, method, path)["responses"]
    assert str(response.status_code) in responses, (method, path, response.status_code, sorted(responses))
    schema = responses[str(response.status_code)]["content"]["application/json"]["schema"]
    _validator(openapi, schema).validate(response.json())


EVENTS = "/api/v1/incidents/{incident_id}/events/"
INCIDENT = "/api/v1/incidents/{incident_id}/"


@pytest.mark.django_db
def test_it_declares_the_400_of_a_refused_body(openapi, api_as, people, open_incident):
    incident = open_incident()

    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/events/", {"body": 12},
                                                format="json")

    assert response.status_code == 400
    _assert_documented(openapi, "POST", EVENTS, response)


@pytest.mark.django_db
def test_it_declares_the_401_without_credentials(openapi, open_incident):
    incident = open_incident()

    response = APIClient().get(f"/api/v1/incidents/{incident.pk}/events/")

    assert response.status_code == 401
    _assert_documented(openapi, "GET", EVENTS, response)


@pytest.mark.django_db
def test_it_declares_the_403_of_a_read_only_token(openapi, api_as, people, open_incident):
    incident = open_incident()

    response = api_as(people["admin"], scopes=("read",)).post(f"/api/v1/incidents/{incident.pk}/events/",
                                                              {"body": "Seen"}, format="json")

    assert response.status_code == 403
    _assert_documented(openapi, "POST", EVENTS, response)


@pytest.mark.django_db
def test_it_declares_the_404_of_another_organizations_incident(openapi, api_as, people, open_incident):
    incident = open_incident()

    response = api_as(people["outsider"]).get(f"/api/v1/incidents/{incident.pk}/")

    assert response.status_code == 404
    _assert_documented(openapi, "GET", INCIDENT, response)


@pytest.mark.django_db
def test_it_declares_the_409_of_a_stale_version(openapi, api_as, people, open_incident):
    incident = open_incident()

    response = api_as(people["commander"]).patch(f"/api/v1/incidents/{incident.pk}/",
                                                 {"title": "Renamed", "version": incident.version + 5}, format="json")

    assert response.status_code == 409
    _assert_documented(openapi, "PATCH", INCIDENT, response)


@pytest.mark.django_db
def test_it_declares_the_415_of_a_body_that_is_not_json(openapi, api_as, people, open_incident):
    incident = open_incident()

    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/events/", "body=Seen",
                                                content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    _assert_documented(openapi, "POST", EVENTS, response)


@pytest.mark.django_db
def test_it_declares_the_406_of_an_accept_header_without_json(openapi, api_as, people, open_incident):
    incident = open_incident()

    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    _assert_documented(openapi, "GET", INCIDENT, response)


@pytest.mark.django_db
def test_it_declares_the_422_of_a_reused_idempotency_key(openapi, api_as, people, open_incident):
    incident = open_incident()
    client = api_as(people["responder"])
    url = f"/api/v1/incidents/{incident.pk}/events/"
    client.post(url, {"body": "First"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = client.post(url, {"body": "Second"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 422
    _assert_documented(openapi, "POST", EVENTS, response)


@pytest.mark.django_db
def test_it_declares_the_429_of_a_spent_budget(openapi, api_as, people, open_incident, settings):
    incident = open_incident()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"per_token": "1/min", "webhook": "1/min"}}
    client = api_as(people["viewer"])
    client.get(f"/api/v1/incidents/{incident.pk}/events/")

    response = client.get(f"/api/v1/incidents/{incident.pk}/events/")

    assert response.status_code == 429
    _assert_documented(openapi, "GET", EVENTS, response)
    assert "Retry-After" in _operation(openapi, "GET", EVENTS)["responses"]["429"]["headers"]


ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def _error_statuses(operation) -> set[str]:
    return {code for code, response in operation["responses"].items()
            if response.get("content", {}).get("application/json", {}).get("schema") == ERROR_REF}


def test_it_declares_the_errors_every_operation_can_answer(openapi):
    # Not per view by hand: one default in ApiAutoSchema, so a new view cannot forget them.
    for method, path, operation in _operations(openapi):
        declared = _error_statuses(operation)
        assert {"406", "429"} <= declared, (method, path, declared)
        if path != "/api/v1/incidents/import/schema/":  # public: no credentials asked, no role checked
            assert "401" in declared, (method, path, declared)
        if method != "GET":
            assert {"400", "404", "409"} <= declared, (method, path, declared)
        if "requestBody" in operation:
            assert "415" in declared, (method, path, declared)
        if method == "POST":
            assert "422" in declared, (method, path, declared)
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in declared, (method, path, declared)
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in declared, (method, path, declared)


def test_it_describes_the_error_body_once(openapi):
    error = openapi["components"]["schemas"]["Error"]

    assert error["required"] == ["error"]
    prop = error["properties"]["error"]
    ref = prop.get("$ref") or prop["allOf"][0]["$ref"]
    detail = openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(detail["required"]) == {"code", "message", "fields"}


def _request_schema(openapi, method: str, path: str) -> dict:
    return _operation(openapi, method, path)["requestBody"]["content"]["application/json"]["schema"]


def _component(openapi, schema: dict) -> dict:
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_it_refuses_unknown_properties_in_every_request_body_as_the_serializers_do(openapi):
    # Every input serializer is a StrictInput, which refuses fields it does not know.
    seen = []
    for method, path, operation in _operations(openapi):
        if "requestBody" not in operation:
            continue
        component = _component(openapi, operation["requestBody"]["content"]["application/json"]["schema"])
        seen.append(path)
        # A body of several shapes (a username or an email) is strict in each shape.
        for shape in [_component(openapi, one) for one in component.get("oneOf", [component])]:
            assert shape.get("additionalProperties") is False, (method, path)
    assert len(seen) > 20


RETRACT = "/api/v1/statements/{statement_id}/retract/"


@pytest.fixture
def approved_statement(open_incident, people):
    from crisis.services.statements import statement_approve, statement_create, statement_submit_for_review

    statement = statement_create(incident=open_incident(), actor=people["responder"], channel="weibo",
                                 kind="holding", body="我们正在核实。")
    statement_submit_for_review(statement=statement, actor=people["responder"])
    statement_approve(statement=statement, actor=people["approver"])
    return statement


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    {"reason": "   "},
    {"reason": ""},
    {"reason": "Wrong\x00figures"},
    {"reason": "Wrong figures", "why": "unknown field"},
])
def test_it_refuses_by_schema_what_the_api_refuses(openapi, api_as, people, approved_statement, body):
    from crisis.services.statements import statement_publish

    statement_publish(statement=approved_statement, actor=people["commander"])
    validator = _validator(openapi, _request_schema(openapi, "POST", RETRACT))

    response = api_as(people["commander"]).post(f"/api/v1/statements/{approved_statement.pk}/retract/", body,
                                                format="json")

    assert response.status_code == 400
    assert not validator.is_valid(body)
    assert validator.is_valid({"reason": "Wrong figures"})


@pytest.mark.django_db
@pytest.mark.parametrize("public_url, is_accepted", [
    ("", True), ("https://weibo.com/1/2", True), ("http://example.cn/a", True),
    ("ftp://example.cn/a", False), ("weibo.com/1/2", False), ("https://x\x00", False),
])
def test_it_declares_the_web_addresses_the_api_takes(openapi, api_as, people, approved_statement, public_url,
                                                      is_accepted):
    validator = _validator(openapi, _request_schema(openapi, "POST", "/api/v1/statements/{statement_id}/publish/"))

    response = api_as(people["commander"]).post(f"/api/v1/statements/{approved_statement.pk}/publish/",
                                                {"public_url": public_url}, format="json")

    assert (response.status_code == 200) is is_accepted, response.json()
    assert validator.is_valid({"public_url": public_url}) is is_accepted


@pytest.mark.django_db
def test_it_answers_a_statement_without_a_public_address_as_its_schema_says(openapi, api_as, people,
                                                                           approved_statement):
    response = api_as(people["viewer"]).get(f"/api/v1/statements/{approved_statement.pk}/")

    assert response.json()["public_url"] == ""
    _assert_documented(openapi, "GET", "/api/v1/statements/{statement_id}/", response)


@pytest.mark.django_db
def test_it_answers_a_playbook_with_steps_of_no_event_kind_as_its_schema_says(openapi, api_as, people,
                                                                             open_incident):
    incident = open_incident()

    response = api_as(people["viewer"]).get(f"/api/v1/playbooks/{incident.playbook_id}/")

    assert "" in {step["event_kind"] for step in response.json()["steps"]}
    _assert_documented(openapi, "GET", "/api/v1/playbooks/{playbook_id}/", response)


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", ["null", "abc", "0", "-3", "501", "2.5", "", "1e3", " 2", "²"])
def test_it_refuses_a_page_size_that_is_not_a_whole_number_from_1_to_500(openapi, api_as, people, open_incident,
                                                                         page_size):
    incident = open_incident()

    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/events/", {"page_size": page_size})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page_size"]
    _assert_documented(openapi, "GET", EVENTS, response)


@pytest.mark.django_db
@pytest.mark.parametrize("page_size, rows", [("1", 1), ("500", 3), ("2", 2)])
def test_it_takes_a_page_size_from_1_to_500(api_as, people, open_incident, page_size, rows):
    from crisis.services.timeline import timeline_event_log

    incident = open_incident()  # logs its opening line
    for body in ("Seen on Weibo", "Seen on Douyin"):
        timeline_event_log(incident=incident, actor=people["responder"], body=body)

    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/events/", {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


def test_it_declares_the_page_size_range_on_every_list(openapi):
    lists = [(path, p["schema"]) for _method, path, operation in _operations(openapi)
             for p in operation.get("parameters", []) if p["name"] == "page_size"]

    assert len(lists) > 10
    for path, schema in lists:
        assert (schema["minimum"], schema["maximum"]) == (1, 500), path


@pytest.mark.django_db
def test_it_answers_a_third_webhook_secret_as_a_conflict(openapi, api_as, people, org):
    from crisis.api.tokens import webhook_secret_create

    for name in ("old tool", "new tool"):
        webhook_secret_create(organization=org, actor=people["admin"], name=name)

    response = api_as(people["admin"]).post(f"/api/v1/organizations/{org.pk}/webhook-secrets/", {"name": "third"},
                                            format="json")

    # Well formed, refused for the organization's state: a conflict, which valid requests may meet, not a 400.
    assert response.status_code == 409
    _assert_documented(openapi, "POST", "/api/v1/organizations/{organization_id}/webhook-secrets/", response)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/pages/null,null/", "/api/v1/nowhere/", "/api/v1/incidents/1/x/"])
def test_it_answers_an_unknown_api_address_with_a_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_it_keeps_the_page_404_for_the_desk(client):
    response = client.get("/nowhere-at-all/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("operation, parameter, valid, invalid", [
    (("GET", "/api/v1/statements/{statement_id}/diff/"), "to", 1, 0),
    (("PATCH", "/api/v1/incidents/{incident_id}/"), "If-Match", '"3"', "three"),
    (("GET", EVENTS), "cursor", "eyJwIjpbXX0", ""),
])
def test_it_declares_the_parameters_the_api_refuses(openapi, operation, parameter, valid, invalid):
    schema = next(p["schema"] for p in _operation(openapi, *operation)["parameters"] if p["name"] == parameter)
    validator = _validator(openapi, schema)

    assert validator.is_valid(valid)
    assert not validator.is_valid(invalid)


def _list_operations(openapi):
    for method, path, operation in _operations(openapi):
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        if method == "GET" and "page_size" in names:
            yield path, operation


@pytest.mark.django_db
def test_it_declares_which_query_parameters_may_be_sent_empty(openapi, session_as, people, org, open_incident):
    # django-filter reads "signal_before=" as no filter at all; the schema must say so (allowEmptyValue), or a
    # client is told the empty value is invalid while the API takes it.
    from crisis.services.statements import statement_create

    incident = open_incident()
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="我们正在核实。")
    ids = {"incident_id": incident.pk, "organization_id": org.pk, "statement_id": statement.pk}
    client = session_as(people["admin"])  # every list, the session-only token list too
    checked = 0
    for path, operation in _list_operations(openapi):
        url = path.format(**ids)
        for parameter in operation["parameters"]:
            if parameter["in"] != "query":
                continue
            response = client.get(url, {parameter["name"]: ""})
            assert response.status_code in (200, 400), (path, parameter["name"], response.status_code)
            is_taken = response.status_code == 200
            assert parameter.get("allowEmptyValue", False) is is_taken, (path, parameter["name"], response.json())
            checked += 1
    assert checked > 20


@pytest.mark.django_db
@pytest.mark.parametrize("measures, is_accepted", [
    ({}, False), ({"reach": None}, False), ({"reach": 10}, True), ({"negative_share": 0.4, "reach": None}, True),
])
def test_it_declares_that_a_checkpoint_needs_one_measure(openapi, api_as, people, open_incident, minutes_ago,
                                                         measures, is_accepted):
    incident = open_incident()
    body = {"measured_at": minutes_ago(1).isoformat(), "source": "Weibo", **measures}
    validator = _validator(openapi, _request_schema(openapi, "POST", "/api/v1/incidents/{incident_id}/checkpoints/"))

    response = api_as(people["responder"]).post(f"/api/v1/incidents/{incident.pk}/checkpoints/", body,
                                                format="json")

    assert (response.status_code == 201) is is_accepted, response.json()
    assert validator.is_valid(body) is is_accepted


def test_it_keeps_the_required_fields_of_a_patch_body(openapi):
    # The views validate PATCH bodies whole (never partial=True): a required field is required in PATCH too.
    component = _component(openapi, _request_schema(openapi, "PATCH", "/api/v1/members/{membership_id}/"))

    assert "role" in component["required"]


@pytest.mark.django_db
@pytest.mark.parametrize("path, name", [("/api/v1/incidents/", "is_open"),
                                        ("/api/v1/incidents/{incident_id}/events/", "is_pinned")])
@pytest.mark.parametrize("value, status", [("true", 200), ("false", 200), ("", 200), ("429", 400), ("yes", 400)])
def test_it_takes_true_or_false_for_a_yes_no_filter(api_as, people, open_incident, path, name, value, status):
    incident = open_incident()

    response = api_as(people["viewer"]).get(path.format(incident_id=incident.pk), {name: value})

    assert response.status_code == status
    if status == 400:
        assert list(response.json()["error"]["fields"]) == [name]


def test_it_says_an_invitation_names_a_username_or_an_email_exactly_one(openapi):
    body = _component(openapi, _request_schema(openapi, "POST", "/api/v1/organizations/{organization_id}/members/"))
    shapes = [_component(openapi, one) for one in body["oneOf"]]

    assert sorted(tuple(sorted(shape["required"])) for shape in shapes) == [("email", "role"), ("role", "username")]
    assert all(shape["additionalProperties"] is False for shape in shapes)


@pytest.mark.parametrize("path", ["/api/v1/organizations/{organization_id}/members/", "/api/v1/incidents/import/"])
def test_it_says_a_body_is_required_where_a_request_without_one_is_refused(openapi, path):
    """Schemathesis's stateful phase sent POST .../members/ with no body, valid by the schema, and got a 400."""
    assert _operation(openapi, "POST", path)["requestBody"]["required"] is True
