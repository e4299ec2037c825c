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
