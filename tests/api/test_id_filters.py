"""An id in a query string is a whole number the database can store, or a 400 naming the parameter.

Schemathesis found ?organization=-8.590387569125393e+205 answered with a 500 (SQLite: "Python int too large to
convert to SQLite INTEGER"); a schema "integer" admits it, so the schema now states the range as well."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["-8.590387569125393e+205", "1e400", str(2**63), "0", "-1", "1.5", "abc"])
def test_it_refuses_an_organization_that_is_no_id(api_as, people, value):
    response = api_as(people["viewer"]).get("/api/v1/incidents/", {"organization": value})

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["organization"]


def test_it_filters_by_a_real_organization(api_as, people, org, open_incident):
    incident = open_incident()
    client = api_as(people["viewer"])

    assert [row["id"] for row in client.get("/api/v1/incidents/", {"organization": org.pk}).json()["results"]] \
        == [incident.pk]
    assert client.get("/api/v1/incidents/", {"organization": 2**63 - 1}).json()["results"] == []


def test_it_states_the_range_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameter = next(p for p in schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]
                     if p["name"] == "organization")

    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
