"""Every list pages on a unique key: each row comes back exactly once, in order, forwards and backwards,
however many rows share a timestamp (an incident logged late writes thousands of lines at one instant)."""

import base64
import json
import math
import random
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crisis.api import urls as api_urls
from crisis.api.pagination import cursor_decode, cursor_encode, sort_key
from crisis.models import EventKind, Incident, TimelineEvent
from tests.deadline_helpers import T0
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

# Each walk stays within this many requests, so that a timeline of thousands comes with pages of hundreds.
MAX_PAGES = 30
# Drawn timelines stay under this; the explicit examples go to 3,000 lines at one instant.
MAX_DRAWN_EVENTS = 1500


@st.composite
def timelines(draw):
    """(page size, events per instant): a few instants, some shared by thousands of events."""
    page_size = draw(st.integers(1, 500))
    budget = min(MAX_DRAWN_EVENTS, page_size * MAX_PAGES)
    counts = draw(st.lists(st.integers(1, budget), max_size=6))
    kept, total = [], 0
    for count in counts:
        count = min(count, budget - total)
        if count:
            kept.append(count)
            total += count
    return page_size, kept


def _timeline(org, counts: list[int], seed: int) -> Incident:
    """An incident whose events fall on few instants, written in shuffled order so ids do not follow time."""
    incident = IncidentFactory(organization=org, first_public_signal_at=T0)
    moments = [T0 + timedelta(seconds=index) for index, count in enumerate(counts) for _ in range(count)]
    random.Random(seed).shuffle(moments)
    TimelineEvent.objects.bulk_create(
        [TimelineEvent(incident=incident, kind=EventKind.OBSERVATION, body="seen", occurred_at=moment,
                       recorded_at=T0) for moment in moments],
        batch_size=1000,
    )
    return incident


def _walk(client, url: str, link: str) -> tuple[list[list[int]], str | None]:
    """The ids on each page, following ``link`` from ``url``; and the way back from the last page."""
    pages, back = [], None
    while url is not None:
        assert len(pages) <= MAX_PAGES + 1, "the cursor does not move on"
        body = client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        url, back = body[link], body["previous" if link == "next" else "next"]
    return pages, back


def _expected(incident) -> list[int]:
    return list(TimelineEvent.objects.filter(incident=incident).order_by("occurred_at", "id")
                .values_list("id", flat=True))


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(timeline=timelines(), seed=st.integers(0, 2**32))
@example(timeline=(200, [3000]), seed=1)  # the report: page_size=200 on thousands of lines at one instant
@example(timeline=(500, [1, 2999]), seed=2)
@example(timeline=(1, [3, 1, 4]), seed=3)
@example(timeline=(7, []), seed=4)
def test_it_walks_every_event_once_in_order_forwards_and_backwards(timeline, seed, api_as, org, people):
    page_size, counts = timeline
    incident = _timeline(org, counts, seed)
    client = api_as(people["viewer"])
    expected = _expected(incident)

    forwards, back = _walk(client, f"/api/v1/incidents/{incident.pk}/events/?page_size={page_size}", "next")
    assert [event for page in forwards for event in page] == expected
    assert len(forwards) == max(1, math.ceil(len(expected) / page_size))

    # Back from the last page: the pages before it, nearest first, then the last page itself.
    backwards = _walk(client, back, "previous")[0] if back else []
    assert [event for page in [*reversed(backwards), forwards[-1]] for event in page] == expected


def test_it_ends_a_timeline_of_thousands_of_lines_at_one_instant(api_as, org, people):
    incident = _timeline(org, [1500], seed=0)
    client = api_as(people["viewer"])

    pages, _back = _walk(client, f"/api/v1/incidents/{incident.pk}/events/?page_size=200", "next")

    assert [len(page) for page in pages] == [200] * 7 + [100]


def test_it_pages_a_newest_first_list_on_a_unique_key(api_as, org, people):
    # Incidents read newest signal first: a descending key, with ties broken by id (descending too).
    IncidentFactory.create_batch(9, organization=org, first_public_signal_at=T0)
    IncidentFactory.create_batch(4, organization=org, first_public_signal_at=T0 + timedelta(hours=1))
    client = api_as(people["viewer"])

    pages, _back = _walk(client, "/api/v1/incidents/?page_size=3", "next")

    expected = list(Incident.objects.filter(organization=org).order_by("-first_public_signal_at", "-id")
                    .values_list("id", flat=True))
    assert [incident for page in pages for incident in page] == expected


def test_it_keeps_the_filters_in_the_next_link(api_as, org, people):
    incident = _timeline(org, [5], seed=0)
    TimelineEvent.objects.create(incident=incident, kind=EventKind.DECISION, body="decided", occurred_at=T0,
                                 recorded_at=T0)
    client = api_as(people["viewer"])

    pages, _back = _walk(client, f"/api/v1/incidents/{incident.pk}/events/?page_size=2&kind=observation", "next")

    assert sum(len(page) for page in pages) == 5


def _token(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not-a-cursor",
    "%%%",
    _token([1, 2]),
    _token({"p": ["2026-11-24T18:00:00+00:00"], "b": False}),
    _token({"p": ["2026-11-24T18:00:00", 5], "b": False}),
    _token({"p": ["2026-11-24T18:00:00+00:00", 2**70], "b": False}),
    _token({"p": ["2026-11-24T18:00:00+00:00", True], "b": False}),
    _token({"p": ["2026-13-45T18:00:00+00:00", 5], "b": False}),
    _token({"p": [None, 5], "b": False}),
    _token({"p": ["2026-11-24T18:00:00+00:00", 5], "b": "yes"}),
    "A" * 5000,
])
def test_it_refuses_a_cursor_it_did_not_give_out(cursor, api_as, org, people):
    incident = _timeline(org, [3], seed=0)
    response = api_as(people["viewer"]).get(f"/api/v1/incidents/{incident.pk}/events/", {"cursor": cursor})

    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["error"]["fields"]


def test_it_reads_back_the_cursor_it_wrote():
    key = sort_key(TimelineEvent, ("occurred_at", "id"))
    cursor = cursor_decode(cursor_encode(cursor_decode(_token({"p": [T0.isoformat(), 42], "b": True}), key)), key)

    assert (cursor.position, cursor.is_backwards) == ((T0, 42), True)


def test_it_adds_the_primary_key_to_an_ordering_that_lacks_it():
    assert [part.order_by for part in sort_key(Incident, ("-first_public_signal_at",))] == [
        "-first_public_signal_at", "-id"]


def test_it_refuses_to_key_on_a_column_that_may_be_null():
    with pytest.raises(ImproperlyConfigured):
        sort_key(Incident, ("acknowledged_at",))


def _list_views():
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        view = pattern.callback.view_class
        queryset = getattr(view, "queryset", None)
        if queryset is not None and hasattr(view, "get"):
            yield pytest.param(view, id=pattern.name)


@pytest.mark.parametrize("view", _list_views())
def test_it_keys_every_list_on_non_null_columns_ending_in_the_primary_key(view):
    key = sort_key(view.queryset.model, view.ordering)

    assert key[-1].field.primary_key
