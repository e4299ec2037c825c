from datetime import timedelta

import pytest

from crisis.media.services.stakeholders import stakeholder_create
from crisis.services import statements
from tests.api.conftest import api_as, token_for  # noqa: F401 (the API tests of this desk use them)


@pytest.fixture
def incident(incident_at_t0, people):
    """An SEV2 incident whose first public signal was T0 (logged at T0+5 min), commanded by people['commander']."""
    return incident_at_t0(commander=people["commander"])


@pytest.fixture
def published(incident, people):
    """A holding statement that went out through review, approval and publication."""
    draft = statements.statement_create(incident=incident, actor=people["responder"], channel="weibo",
                                        kind="holding", body="我们已注意到相关情况，正在核实。", title="Holding line")
    statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    statements.statement_approve(statement=draft, actor=people["approver"])
    return statements.statement_publish(statement=draft, actor=people["commander"])


@pytest.fixture
def journalist(org, people):
    return stakeholder_create(organization=org, actor=people["responder"], name="李娜", outlet="财新",
                              kind="journalist", email="li.na@caixin.example", tags=["press", "财经"])


@pytest.fixture
def regulator(org, people):
    return stakeholder_create(organization=org, actor=people["responder"], name="Market regulator desk",
                              kind="regulator", channel="phone", phone="+86 10 0000 0000",
                              handle="samr-press", tags=["regulators"])


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
