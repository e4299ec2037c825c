from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisis.models import Channel, StatementKind
from crisis.reports.analytics import organization_analytics
from tests.deadline_helpers import T0
from tests.factories import IncidentFactory, SentimentCheckpointFactory, StatementFactory

from .factories import DeadlineFactory

pytestmark = pytest.mark.django_db


def incident_with(org, *, start, severity=2, first_statement=None, deadlines=(), points=()):
    incident = IncidentFactory(organization=org, severity=severity, first_public_signal_at=start,
                               detected_at=start + timedelta(minutes=1))
    if first_statement is not None:
        StatementFactory(incident=incident, kind=StatementKind.HOLDING, channel=Channel.WEIBO,
                         published_at=start + timedelta(minutes=first_statement))
        # An internal briefing published earlier must not count as the first public statement.
        StatementFactory(incident=incident, kind=StatementKind.INTERNAL_BRIEFING, channel=Channel.INTERNAL,
                         published_at=start)
    for key, state, late in deadlines:
        due = start + timedelta(minutes=60)
        DeadlineFactory(incident=incident, step_key=key, name=key, due_at=due, state=state,
                        met_at=None if late is None else due + timedelta(minutes=late))
    for minutes, negative in points:
        SentimentCheckpointFactory(incident=incident, measured_at=start + timedelta(minutes=minutes),
                                   negative_share=negative)
    return incident


@pytest.fixture
def history(org):
    """Q4 2026: two SEV2 incidents; Q1 2027: one SEV2 and one SEV1 (all times in Shanghai)."""
    q1 = T0 + timedelta(days=60)
    incident_with(org, start=T0, first_statement=30,
                  deadlines=[("holding-statement", "met", -30), ("full-statement", "breached", 40)],
                  points=[(10, 0.3), (40, 0.8), (100, 0.5), (160, 0.25)])
    incident_with(org, start=T0 + timedelta(days=3), first_statement=60,
                  deadlines=[("holding-statement", "met", 0), ("full-statement", "breached", None)])
    incident_with(org, start=q1, first_statement=90,
                  deadlines=[("holding-statement", "breached", 30), ("full-statement", "met", -10)])
    incident_with(org, start=q1 + timedelta(days=1), severity=1, first_statement=20,
                  deadlines=[("holding-statement", "met", -5)])
    return organization_analytics(organization=org)


def test_it_computes_the_share_of_deadlines_met_per_step(history):
    assert {s["key"]: s["share_met"] for s in history["steps"]} == {"holding-statement": 0.75,
                                                                    "full-statement": 0.3333}


def test_it_computes_compliance_per_quarter(history):
    assert [(q["quarter"], q["share_met"]) for q in history["compliance_by_quarter"]] == [
        ("2026-Q4", 0.5), ("2027-Q1", 0.6667)]


def test_it_counts_breaches_by_step(history):
    assert {s["key"]: s["breached"] for s in history["steps"]} == {"holding-statement": 1, "full-statement": 2}


def test_it_names_the_slowest_step(history):
    # Full statement: done 40 min late and 10 min early -> median +15; holding: -30, 0, +30, -5 -> -2.5.
    assert (history["slowest_step"]["key"], history["slowest_step"]["median_delay_minutes"]) == ("full-statement", 15)


def test_it_computes_median_and_p90_time_to_first_statement_by_severity(history):
    assert [(g["severity"], g["n"], g["median"], g["p90"]) for g in history["first_statement_by_severity"]] == [
        (1, 1, 20, 20), (2, 3, 60, 84)]


def test_it_computes_median_time_to_first_statement_by_quarter(history):
    assert [(g["quarter"], g["median"]) for g in history["first_statement_by_quarter"]] == [
        ("2026-Q4", 45), ("2027-Q1", 55)]


def test_it_measures_sentiment_recovery_per_incident(history):
    first = history["incidents"][0]
    assert (first["baseline_negative_share"], first["peak_negative_share"], first["recovery_minutes"],
            first["time_to_first_statement_minutes"]) == (0.3, 0.8, 120, 30)


def test_it_reads_analytics_in_a_fixed_number_of_queries(org):
    for day in range(3):
        incident_with(org, start=T0 + timedelta(days=day), first_statement=10,
                      deadlines=[("acknowledge", "met", -1)], points=[(5, 0.2)])
    with CaptureQueriesContext(connection) as captured:
        organization_analytics(organization=org)
    assert len(captured) == 4
