"""Each page costs the same number of queries whether the timeline holds 3 events or 300."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.statements import statement_create, statement_revise
from crisis.services.timeline import timeline_event_correct, timeline_event_log

pytestmark = pytest.mark.django_db

# The clock reads, besides the deadlines, the withdrawn alarms (one query), the passed-occurrence records
# (one) and, per repeating step that has such records, when its facts happened (one each, two at most
# in the Golden 4 Hours): a fixed number, whatever the timeline's length.
# The chart reads the breaches it marks in one query.
# The room reads, besides its own 19, the panels other features register (crisis/web/room_extensions.py),
# and whether any escalation policy names the people paged (1); each registered panel is a fixed number of
# queries however long the incident: promises 2, fact sheet 2, comms freeze and
# templates 4, sentiment level and baseline 5 (thresholds, checkpoints and decisions once, a fingerprint
# each), inquiries 3, past thorns 2. The dashboard also reads the comms freeze (1) and each incident's
# sentiment level (thresholds and checkpoints).
MAX_QUERIES = {"room": 38, "timeline": 8, "clock": 11, "chart": 9, "dashboard": 13, "statement": 14}


def _grow(incident, people, *, events: int):
    actor = people["responder"]
    start = timezone.now() - timedelta(hours=3)
    for n in range(events):
        event = timeline_event_log(incident=incident, actor=actor, body=f"event {n}", kind="observation",
                                   occurred_at=start + timedelta(seconds=20 * n), is_pinned=n % 7 == 0)
        if n % 5 == 0:
            timeline_event_correct(event=event, actor=actor, body=f"event {n}, corrected")
        if n % 10 == 0:
            sentiment_checkpoint_record(incident=incident, actor=actor, source="Weibo", mention_volume=100 * n,
                                        measured_at=start + timedelta(seconds=20 * n), negative_share=0.5)
    statement = statement_create(incident=incident, actor=actor, channel="weibo", kind="holding", body="v1")
    for n in range(events // 20):
        statement_revise(statement=statement, actor=actor, body=f"v{n + 2}")
    return statement


def _urls(incident, statement):
    return {
        "room": reverse("crisis:incident-room", args=[incident.pk]),
        "timeline": reverse("crisis:incident-timeline", args=[incident.pk]),
        "clock": reverse("crisis:incident-clock", args=[incident.pk]),
        "chart": reverse("crisis:incident-chart", args=[incident.pk]),
        "dashboard": reverse("crisis:home"),
        "statement": reverse("crisis:statement-detail", args=[statement.pk]),
    }


@pytest.mark.parametrize("events", [3, 300])
@pytest.mark.parametrize("page", sorted(MAX_QUERIES))
def test_it_keeps_the_query_count_flat(client_for, people, open_incident, django_assert_max_num_queries, page, events):
    incident = open_incident(first_public_signal_at=timezone.now() - timedelta(hours=3, minutes=5))
    statement = _grow(incident, people, events=events)
    client = client_for(people["commander"])
    url = _urls(incident, statement)[page]
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client.get(url)
    assert response.status_code == 200
