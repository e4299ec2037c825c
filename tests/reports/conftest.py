from datetime import timedelta

import pytest

from crisis.models import Channel, DeadlineState, EventKind, StatementKind, StatementStatus
from tests.deadline_helpers import T0
from tests.factories import (
    IncidentFactory,
    SentimentCheckpointFactory,
    StatementApprovalFactory,
    StatementFactory,
    StatementVersionFactory,
    TimelineEventFactory,
)

from .factories import DeadlineFactory

# A crisis entered eight months after it happened (the 356,358-minutes case).
EIGHT_MONTHS = 60 * 24 * 240


def t(minutes: float):
    return T0 + timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def report_root(settings, tmp_path):
    settings.GOLDEN_HOURS_REPORT_ROOT = tmp_path / "reports"
    return settings.GOLDEN_HOURS_REPORT_ROOT


def _deadline(incident, key, due, state, met=None, occurrence=0, **extra):
    return DeadlineFactory(incident=incident, step_key=key, name=key.replace("-", " ").capitalize(),
                           due_at=t(due), state=state, met_at=met and t(met), occurrence=occurrence,
                           breached_at=t(due) if state == DeadlineState.BREACHED else None, **extra)


def _statement(incident, *, kind, channel, published, versions, approver, title):
    statement = StatementFactory(incident=incident, kind=kind, channel=channel, title=title,
                                 status=StatementStatus.PUBLISHED, published_at=t(published))
    made = [StatementVersionFactory(statement=statement, number=n, body=body, created_at=t(published - 10 + n))
            for n, body in enumerate(versions, start=1)]
    StatementApprovalFactory(version=made[-1], approver=approver, note="OK", created_at=t(published - 2))
    statement.current_version = statement.published_version = made[-1]
    statement.save(update_fields=["current_version", "published_version"])
    return statement


@pytest.fixture
def hand_built(org, people):
    """The incident of docs/reports.md's worked example: every figure below is known by hand.

    Signal T0, detected T+8, paged T+9 and T+10, acknowledged T+12, holding statement T+70 (due 60),
    internal briefing T+100, full statement T+265 (due 240), contained T+300, resolved T+600.
    """
    incident = IncidentFactory(
        organization=org, title="S7 电池冒烟 / S7 battery smoke", severity=2, time_zone="Asia/Shanghai",
        first_public_signal_at=T0, detected_at=t(8), acknowledged_at=t(12), contained_at=t(300),
        resolved_at=t(600), status="resolved", commander=people["commander"],
    )
    _deadline(incident, "acknowledge", 15, DeadlineState.MET, met=12)
    _deadline(incident, "sentiment-baseline", 30, DeadlineState.MET, met=20)
    _deadline(incident, "holding-statement", 60, DeadlineState.BREACHED, met=70)
    _deadline(incident, "stakeholder-briefing", 120, DeadlineState.WAIVED, waive_reason="Briefed in person.")
    _deadline(incident, "full-statement", 240, DeadlineState.BREACHED, met=265, note="Legal review took 40 min.")
    _deadline(incident, "sentiment-cadence", 60, DeadlineState.BREACHED)
    _deadline(incident, "sentiment-cadence", 90, DeadlineState.MET, met=85, occurrence=1)
    _deadline(incident, "public-update", 480, DeadlineState.BREACHED)
    points = [  # minutes, negative share, volume, followers, rank, share price
        (20, 0.30, 1000, None, None, None), (40, 0.70, 5000, -4000, 12, None), (65, 0.80, 8000, None, 3, None),
        (100, 0.60, 6000, -6000, None, -5.0), (130, 0.55, 4000, None, 8, None), (250, 0.50, 3000, None, None, None),
        (300, 0.35, 2000, 1000, None, 2.0), (320, 0.28, 1500, None, None, None),
    ]
    made = {}
    for minutes, negative, volume, followers, rank, price in points:
        made[minutes] = SentimentCheckpointFactory(
            incident=incident, measured_at=t(minutes), recorded_at=t(minutes + 1), negative_share=negative,
            mention_volume=volume, follower_change=followers, trending_rank=rank, share_price_move_pct=price)
    # The T+65 reading was mistyped; its correction is what the figures must use.
    SentimentCheckpointFactory(incident=incident, measured_at=t(65), recorded_at=t(90), negative_share=0.75,
                               mention_volume=9000, trending_rank=3, corrects=made[65])
    approver = people["approver"]
    _statement(incident, kind=StatementKind.HOLDING, channel=Channel.WEIBO, published=70, approver=approver,
               title="Holding", versions=["我们已关注到视频。", "我们已关注到视频，正在核实，今晚公布结果。"])
    _statement(incident, kind=StatementKind.INTERNAL_BRIEFING, channel=Channel.INTERNAL, published=100,
               approver=approver, title="Briefing", versions=["内部通报"])
    _statement(incident, kind=StatementKind.FULL, channel=Channel.WEIBO, published=265, approver=approver,
               title="Full", versions=["初步检测显示电池为非原厂电池。"])
    for minutes, kind, body, pinned in ((0, EventKind.OBSERVATION, "视频出现 Video posted", True),
                                        (9, EventKind.PAGE, "Paged the commander", False),
                                        (10, EventKind.PAGE, "Paged the spokesperson", False),
                                        (14, EventKind.DECISION, "Team assembled", True)):
        TimelineEventFactory(incident=incident, kind=kind, body=body, occurred_at=t(minutes),
                             recorded_at=t(minutes), is_pinned=pinned)
    return incident


# Incidents for "the post-mortem never fails on missing data": each renderer is run over every one.


def publish(incident, people, *, published_at, kind=StatementKind.HOLDING, channel=Channel.WEIBO,
            body="我们已关注到视频，正在调查。"):
    """A statement written, approved and published through the services, going out at ``published_at``."""
    from crisis.services import statements

    statement = statements.statement_create(incident=incident, actor=people["responder"], channel=channel,
                                            kind=kind, body=body)
    statements.statement_submit_for_review(statement=statement, actor=people["responder"])
    statements.statement_approve(statement=statement, actor=people["approver"])
    return statements.statement_publish(statement=statement, actor=people["commander"], published_at=published_at)


def checkpoint(incident, people, measured_at, *, negative_share, mention_volume):
    from crisis.services.sentiment import sentiment_checkpoint_record

    return sentiment_checkpoint_record(incident=incident, actor=people["responder"], measured_at=measured_at,
                                       source="Weibo", negative_share=negative_share, mention_volume=mention_volume)


def _bare(org, people, title, **fields):
    return IncidentFactory(organization=org, title=title, severity=2, time_zone="Asia/Shanghai",
                           first_public_signal_at=T0, detected_at=t(8), commander=people["commander"], **fields)


@pytest.fixture
def no_checkpoints(org, people):
    """Two public statements and not one sentiment reading: an incident without a listening feed."""
    incident = _bare(org, people, "No listening feed")
    approver = people["approver"]
    _statement(incident, kind=StatementKind.HOLDING, channel=Channel.WEIBO, published=50, approver=approver,
               title="Holding", versions=["我们已关注到视频。"])
    _statement(incident, kind=StatementKind.FULL, channel=Channel.X, published=200, approver=approver,
               title="Full", versions=["Full statement."])
    return incident


@pytest.fixture
def no_statements(org, people):
    """Opinion was measured, nothing was said."""
    incident = _bare(org, people, "Said nothing")
    for minutes, negative in ((20, 0.3), (50, 0.6), (80, 0.5)):
        SentimentCheckpointFactory(incident=incident, measured_at=t(minutes), recorded_at=t(minutes),
                                   negative_share=negative, mention_volume=1000 * minutes)
    return incident


@pytest.fixture
def one_statement(org, people):
    """One holding statement at T+50, a reading 25 minutes before it and none after."""
    incident = _bare(org, people, "One statement")
    SentimentCheckpointFactory(incident=incident, measured_at=t(25), recorded_at=t(25), negative_share=0.4,
                               mention_volume=2000)
    _statement(incident, kind=StatementKind.HOLDING, channel=Channel.WEIBO, published=50,
               approver=people["approver"], title="Holding", versions=["我们已关注到视频。"])
    return incident


@pytest.fixture
def retrospective(org, people, at):
    """A night crisis entered eight months later through the services, each fact with when it happened.

    Signal T0 (02:00 in Shanghai), detected T+30, acknowledged T+12, baseline reading T+20, holding
    statement T+100 (due T+60: 40 min late), reading T+130, full statement T+230 (due T+240), resolved T+600.
    """
    from crisis.services.incidents import incident_acknowledge, incident_open, incident_transition

    at(EIGHT_MONTHS)
    incident = incident_open(organization=org, actor=people["responder"], title="Eight months ago",
                             first_public_signal_at=T0, detected_at=t(30), severity=2, time_zone="Asia/Shanghai",
                             commander=people["commander"])
    at(EIGHT_MONTHS + 10)
    incident_acknowledge(incident=incident, actor=people["commander"], acknowledged_at=t(12))
    checkpoint(incident, people, t(20), negative_share=0.3, mention_volume=1000)
    publish(incident, people, published_at=t(100))
    checkpoint(incident, people, t(130), negative_share=0.7, mention_volume=5000)
    publish(incident, people, published_at=t(230), kind=StatementKind.FULL, body="初步检测结果。")
    incident.refresh_from_db()
    incident_transition(incident=incident, actor=people["commander"], to_status="resolved", occurred_at=t(600))
    incident.refresh_from_db()
    return incident


@pytest.fixture
def imported(org, people):
    """The acceptance tests' night crisis (tests/scenarios/night_crisis.py), loaded through the import path."""
    from crisis.services.imports import incident_import
    from tests.scenarios.night_crisis import import_document

    return incident_import(organization=org, actor=people["commander"], document=import_document()).incident


def timeline_bulk(incident, total: int) -> None:
    """Fill the timeline up to ``total`` entries; the last one says "Repost wave #<total - 1>"."""
    from crisis.models import TimelineEvent

    TimelineEvent.objects.bulk_create(
        (TimelineEvent(incident=incident, kind=EventKind.OBSERVATION, occurred_at=t(n * 0.2), recorded_at=t(n * 0.2),
                       body=f"Repost wave #{n}") for n in range(incident.events.count(), total)), batch_size=1000)


@pytest.fixture
def three_thousand_events(hand_built):
    timeline_bulk(hand_built, 3000)
    return hand_built
