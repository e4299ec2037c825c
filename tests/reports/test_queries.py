import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisis.reports.assembly import report_assemble
from crisis.reports.renderers import render_html
from tests.factories import TimelineEventFactory

pytestmark = pytest.mark.django_db
REPORT_QUERIES = 10


def queries_for(incident, events: int) -> int:
    TimelineEventFactory.create_batch(events - incident.events.count(), incident=incident)
    with CaptureQueriesContext(connection) as captured:
        render_html(report_assemble(incident=incident))
    return len(captured)


def test_it_reads_a_report_in_the_same_number_of_queries_for_10_and_200_events(hand_built):
    assert queries_for(hand_built, 10) == queries_for(hand_built, 200)


def test_it_reads_a_report_in_a_bounded_number_of_queries(hand_built, django_assert_max_num_queries):
    TimelineEventFactory.create_batch(200, incident=hand_built)
    with django_assert_max_num_queries(REPORT_QUERIES):
        render_html(report_assemble(incident=hand_built))
