import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisis.reports.assembly import report_assemble
from crisis.reports.renderers import render_html
from tests.factories import TimelineEventFactory

from .conftest import timeline_bulk

pytestmark = pytest.mark.django_db
# The incident, deadlines, breaches, passed-occurrence records, statements (three), checkpoints, timeline,
# pages, post-mortem, action items, promises, related incidents.
REPORT_QUERIES = 14
# With passed occurrences of both repeating steps, each step's facts are read once more (one query each).
RETROSPECTIVE_QUERIES = REPORT_QUERIES + 2


def queries_for(incident, events: int) -> int:
    TimelineEventFactory.create_batch(events - incident.events.count(), incident=incident)
    return queries_of_report(incident)


def queries_of_report(incident) -> int:
    with CaptureQueriesContext(connection) as captured:
        render_html(report_assemble(incident=incident))
    return len(captured)


def test_it_reads_a_report_in_the_same_number_of_queries_for_10_and_200_events(hand_built):
    assert queries_for(hand_built, 10) == queries_for(hand_built, 200)


def test_it_reads_a_report_in_a_bounded_number_of_queries(hand_built, django_assert_max_num_queries):
    TimelineEventFactory.create_batch(200, incident=hand_built)
    with django_assert_max_num_queries(REPORT_QUERIES):
        render_html(report_assemble(incident=hand_built))


def test_it_reads_a_retrospective_report_in_the_same_number_of_queries_for_50_and_3000_events(retrospective):
    timeline_bulk(retrospective, 50)
    few = queries_of_report(retrospective)
    timeline_bulk(retrospective, 3000)
    assert queries_of_report(retrospective) == few


def test_it_reads_a_retrospective_report_in_a_bounded_number_of_queries(retrospective,
                                                                         django_assert_max_num_queries):
    timeline_bulk(retrospective, 3000)
    with django_assert_max_num_queries(RETROSPECTIVE_QUERIES):
        render_html(report_assemble(incident=retrospective))
