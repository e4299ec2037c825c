"""Every time filter of the API: a time the database cannot take is the client's mistake (400 naming the
parameter), not a 500. PostgreSQL refuses UTC offsets beyond 15:59 that Python parses happily, so these run on
PostgreSQL as well as SQLite."""

import base64
import json

import pytest

pytestmark = pytest.mark.django_db

# (list URL under /api/v1/, parameter): every IsoDateTimeFilter of the API.
TIME_FILTERS = [
    ("incidents/", "signal_after"),
    ("incidents/", "signal_before"),
    ("incidents/{pk}/events/", "occurred_after"),
    ("incidents/{pk}/events/", "occurred_before"),
    ("incidents/{pk}/checkpoints/", "measured_after"),
    ("incidents/{pk}/checkpoints/", "measured_before"),
    ("incidents/{pk}/deadlines/", "due_before"),
]

IMPOSSIBLE = [
    "2026-01-01T00:00:00+16:00",  # PostgreSQL: "time zone displacement out of range"
    "2026-01-01T00:00:00-23:59",
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
]


@pytest.mark.parametrize("moment", IMPOSSIBLE)
@pytest.mark.parametrize(("path", "name"), TIME_FILTERS)
def test_it_refuses_a_time_the_database_cannot_take(api_as, people, open_incident, path, name, moment):
    incident = open_incident()
    response = api_as(people["viewer"]).get(f"/api/v1/{path.format(pk=incident.pk)}", {name: moment})

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [name]


@pytest.mark.parametrize(("path", "name"), TIME_FILTERS)
def test_it_reads_a_far_but_real_offset(api_as, people, open_incident, path, name):
    incident = open_incident()
    response = api_as(people["viewer"]).get(f"/api/v1/{path.format(pk=incident.pk)}",
                                            {name: "2026-01-01T00:00:00+14:00"})

    assert response.status_code == 200, response.content


def _cursor(position: list) -> str:
    raw = json.dumps({"p": position, "b": False}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("moment", IMPOSSIBLE)
def test_it_refuses_a_hand_made_cursor_with_an_impossible_time(api_as, people, open_incident, moment):
    incident = open_incident()
    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/checkpoints/",
                                            {"cursor": _cursor([moment, 1])})

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["cursor"]
