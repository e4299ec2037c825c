from datetime import timedelta

import pytest

from crisis.commitments.services.suggestions import commitment_suggest
from crisis.services.statements import (
    statement_approve,
    statement_create,
    statement_publish,
    statement_record_published,
    statement_submit_for_review,
)
from tests.deadline_helpers import T0
from tests.oncall.conftest import commanded_incident, policy, schedule  # noqa: F401  (fixtures)


def minutes(n: float):
    return T0 + timedelta(minutes=n)


@pytest.fixture
def approved(people):
    """An approved draft whose text is ``body``, with its promises suggested as of now."""
    def _approved(incident, body):
        statement = statement_create(incident=incident, actor=people["responder"], channel="weibo",
                                     kind="holding", body=body)
        suggested = commitment_suggest(statement=statement, actor=people["responder"])
        statement_submit_for_review(statement=statement, actor=people["responder"])
        statement_approve(statement=statement, actor=people["approver"])
        return statement, suggested
    return _approved


@pytest.fixture
def published(people):
    """A statement recorded as published at T0 + ``at`` minutes, its promises suggested and not yet confirmed."""
    def _published(incident, body, at: float):
        statement = statement_record_published(incident=incident, actor=people["commander"], channel="weibo",
                                               kind="holding", body=body, published_at=minutes(at))
        return statement, commitment_suggest(statement=statement, actor=people["responder"])
    return _published


def publish(statement, people, at: float):
    return statement_publish(statement=statement, actor=people["commander"], published_at=minutes(at))
