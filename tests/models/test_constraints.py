"""The database keeps bad rows out even when something bypasses the services."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crisis.models import Membership
from tests.factories import (
    IncidentFactory,
    OrganizationFactory,
    SentimentCheckpointFactory,
    StatementApprovalFactory,
    StatementVersionFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"negative_share": 1.2}, id="negative_share_over_one"),
        pytest.param({"negative_share": -0.1}, id="negative_share_below_zero"),
        pytest.param({"neutral_share": 1.5}, id="neutral_share_over_one"),
        pytest.param({"positive_share": -0.01}, id="positive_share_below_zero"),
        pytest.param({"trending_rank": 0}, id="trending_rank_zero"),
        pytest.param({"share_price_move_pct": -101}, id="share_price_below_minus_100"),
        pytest.param({"share_price_move_pct": 1001}, id="share_price_over_1000"),
        pytest.param({"mention_volume": -1}, id="negative_volume"),
        pytest.param({"reach": -1}, id="negative_reach"),
    ],
)
def test_it_rejects_a_bad_sentiment_row_written_directly(fields):
    incident = IncidentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SentimentCheckpointFactory(incident=incident, **fields)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"negative_share": 0.0, "neutral_share": 1.0, "positive_share": 0.0}, id="shares_at_bounds"),
        pytest.param({"trending_rank": 1}, id="trending_rank_one"),
        pytest.param({"share_price_move_pct": -100}, id="share_price_wiped_out"),
        pytest.param({"negative_share": None, "mention_volume": None, "follower_change": -60000}, id="followers_only"),
    ],
)
def test_it_accepts_a_sentiment_row_on_the_edge_of_the_ranges(fields):
    checkpoint = SentimentCheckpointFactory(**fields)
    assert checkpoint.pk is not None


def test_it_allows_one_correction_per_timeline_event():
    original = TimelineEventFactory()
    TimelineEventFactory(incident=original.incident, corrects=original)
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEventFactory(incident=original.incident, corrects=original)
    assert original.corrections.count() == 1


def test_it_lets_a_correction_itself_be_corrected():
    original = TimelineEventFactory()
    first = TimelineEventFactory(incident=original.incident, corrects=original)
    second = TimelineEventFactory(incident=original.incident, corrects=first)
    assert second.corrects.corrects == original


def test_it_allows_one_correction_per_sentiment_checkpoint():
    original = SentimentCheckpointFactory()
    SentimentCheckpointFactory(incident=original.incident, corrects=original)
    with pytest.raises(IntegrityError), transaction.atomic():
        SentimentCheckpointFactory(incident=original.incident, corrects=original)
    assert original.corrections.count() == 1


def test_it_rejects_an_incident_detected_before_its_first_public_signal():
    signal = timezone.now() - timedelta(hours=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(first_public_signal_at=signal, detected_at=signal - timedelta(seconds=1))


def test_it_allows_one_membership_per_user_and_organization():
    user, org = UserFactory(), OrganizationFactory()
    Membership.objects.create(user=user, organization=org, role="viewer")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, organization=org, role="admin")


def test_it_numbers_each_statement_version_once():
    version = StatementVersionFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementVersionFactory(statement=version.statement, number=1)


def test_it_records_one_approval_per_approver_and_version():
    approval = StatementApprovalFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementApprovalFactory(version=approval.version, approver=approval.approver)
