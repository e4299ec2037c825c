"""Apply racing dismiss on PostgreSQL: both saw the suggestion standing; exactly one decides it."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from crisis.listening.models import SuggestionDecision
from crisis.listening.services import suggestions
from crisis.models import Incident
from crisis.services.errors import ConcurrentUpdate
from tests.deadline_helpers import T0
from tests.oncall.test_resolve_races import InThread

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]
ENTERED = T0 + timedelta(minutes=10)


def test_an_apply_that_waited_on_an_uncommitted_dismissal_loses_and_changes_nothing(hot_incident, people,
                                                                                    monkeypatch):
    incident = hot_incident()
    reached, go = threading.Event(), threading.Event()
    real = suggestions._record

    def paused(**kwargs):
        if kwargs["decision"].outcome == "dismissed":
            reached.set()  # the dismissal's row is written, not committed
            assert go.wait(20)
        return real(**kwargs)

    monkeypatch.setattr(suggestions, "_record", paused)
    dismisser = InThread(lambda: suggestions.suggestion_dismiss(
        incident=Incident.objects.get(pk=incident.pk), actor=people["admin"], level=2, level_entered_at=ENTERED,
        reason="Answered already"))
    assert reached.wait(20)
    applier = InThread(lambda: suggestions.suggestion_apply(
        incident=Incident.objects.get(pk=incident.pk), actor=people["commander"], level=2, level_entered_at=ENTERED))
    try:
        blocked = applier.blocked_on_a_lock()  # on the decision's unique index
    finally:
        go.set()
        dismisser.join(20)
        applier.join(20)

    assert blocked, "the apply did not wait for the dismissal: it cannot have lost to it"
    assert not dismisser.errors
    assert [type(e) for e in applier.errors] == [ConcurrentUpdate]
    assert SuggestionDecision.objects.get().outcome == "dismissed"
    assert Incident.objects.get(pk=incident.pk).severity == 3
