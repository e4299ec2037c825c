"""Checks other features ask of a statement before it moves on (crisis/services/statement_gates.py)."""

from datetime import UTC, datetime

import pytest

from crisis.models import AuditEntry, EventKind, Statement, StatementStatus
from crisis.services import statement_gates as gates
from crisis.services import statements
from crisis.services.errors import InvalidInput
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def noon_gate():
    """A gate that stands in the way of any text saying 15:00."""
    def check(*, statement, body, actor, action):
        return ["Weibo said 12:00, this says 15:00"] if "15:00" in body else []

    gate = gates.StatementGate(name="noon", label="Noon", check=check)
    gates.statement_gate_register(gate)
    yield gate
    gates._gates.pop("noon", None)


@pytest.fixture
def draft(org, people):
    incident = IncidentFactory(organization=org)
    return statements.statement_create(incident=incident, actor=people["responder"], channel="wechat",
                                       kind="update", body="我们将于 15:00 公布进展。")


def test_it_stops_a_text_that_a_gate_finds_fault_with_and_writes_nothing(draft, people, noon_gate):
    with pytest.raises(InvalidInput) as refused:
        statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    assert refused.value.fields["overrides.noon"][0] == "Weibo said 12:00, this says 15:00"
    assert Statement.objects.get(pk=draft.pk).status == StatementStatus.DRAFT


def test_it_lets_the_text_through_with_a_reason_and_records_the_override(draft, people, noon_gate):
    statements.statement_submit_for_review(statement=draft, actor=people["responder"],
                                           overrides={"noon": "WeChat gives the later, confirmed time"})
    assert Statement.objects.get(pk=draft.pk).status == StatementStatus.IN_REVIEW
    event = draft.incident.events.get(kind=EventKind.DECISION, metadata__override="noon")
    assert "WeChat gives the later, confirmed time" in event.body
    assert event.metadata["found"] == ["Weibo said 12:00, this says 15:00"]
    assert AuditEntry.objects.filter(action="statement.override", object_id=str(draft.pk)).count() == 1


def test_it_records_no_override_when_the_gate_finds_nothing(org, people, noon_gate):
    incident = IncidentFactory(organization=org)
    clean = statements.statement_create(incident=incident, actor=people["responder"], channel="wechat",
                                        kind="update", body="我们将于 12:00 公布进展。")
    statements.statement_submit_for_review(statement=clean, actor=people["responder"],
                                           overrides={"noon": "just in case"})
    assert not AuditEntry.objects.filter(action="statement.override").exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"nope": "reason"}, "overrides.nope"),
    ({"noon": "  "}, "overrides.noon"),
    ({"noon": "x" * 2001}, "overrides.noon"),
])
def test_it_refuses_an_override_it_cannot_use(draft, people, noon_gate, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        statements.statement_submit_for_review(statement=draft, actor=people["responder"], overrides=overrides)
    assert field in refused.value.fields
    assert Statement.objects.get(pk=draft.pk).status == StatementStatus.DRAFT


def test_a_post_recorded_after_it_went_out_is_checked_too(org, people, noon_gate):
    incident = IncidentFactory(organization=org)
    with pytest.raises(InvalidInput):
        statements.statement_record_published(incident=incident, actor=people["commander"], channel="wechat",
                                              kind="update", body="15:00 更新", published_at=NOW)
    assert not Statement.objects.filter(incident=incident).exists()  # nothing half-written


def test_it_tells_listeners_when_a_statement_is_published(org, people):
    heard = []

    def listener(sender, *, statement, actor, **kwargs):
        heard.append((statement.pk, actor.pk))

    gates.statement_published.connect(listener)
    try:
        incident = IncidentFactory(organization=org)
        statement = statements.statement_record_published(
            incident=incident, actor=people["commander"], channel="weibo", kind="holding", body="已关注",
            published_at=NOW)
    finally:
        gates.statement_published.disconnect(listener)
    assert heard == [(statement.pk, people["commander"].pk)]
