from datetime import timedelta

import pytest

from crisis.services import statements
from tests.api.conftest import _fresh_throttle_counts, api_as, token_for  # noqa: F401 (API tests here use them)
from tests.deadline_helpers import T0


@pytest.fixture
def incident(incident_at_t0):
    """The door incident, opened at T0+5 min (the clock stays there unless a test moves it)."""
    return incident_at_t0(title="Doors would not open after the crash")


@pytest.fixture
def published(incident, people):
    """Put a text out on a channel, as the desk records a post that already went out."""
    def _publish(channel: str, body: str, *, language: str = "zh-hans", minutes_after_signal: int = 4):
        return statements.statement_record_published(
            incident=incident, actor=people["commander"], channel=channel, kind="holding", body=body,
            language=language, published_at=T0 + timedelta(minutes=minutes_after_signal))
    return _publish


@pytest.fixture
def drafted(incident, people):
    def _draft(channel: str, body: str, *, language: str = "zh-hans"):
        return statements.statement_create(incident=incident, actor=people["responder"], channel=channel,
                                           kind="update", body=body, language=language)
    return _draft
