"""Briefing stakeholders: which list received which published statement, when and by whom."""

from datetime import timedelta

import pytest

from crisis.media.models import Briefing
from crisis.media.services.briefings import stakeholders_brief
from crisis.media.services.stakeholders import stakeholder_update
from crisis.models import AuditEntry, TimelineEvent
from crisis.services import statements
from crisis.services.errors import InvalidInput, InvalidTransition, NotFound
from crisis.system_lines import line_render
from tests.deadline_helpers import T0

pytestmark = pytest.mark.django_db


def test_it_records_who_received_which_statement_and_puts_it_on_the_timeline(incident, people, published, journalist,
                                                                            regulator, at):
    at(30)
    briefing = stakeholders_brief(incident=incident, actor=people["responder"], statement_id=published.pk,
                                  tags=["press", "regulators"], briefed_at=T0 + timedelta(minutes=25))
    assert set(briefing.recipients.all()) == {journalist, regulator}
    assert (briefing.recipient_count, briefing.briefed_at, briefing.actor) == (
        2, T0 + timedelta(minutes=25), people["responder"])
    event = TimelineEvent.objects.get(metadata__briefing_id=briefing.pk)
    assert event.occurred_at == T0 + timedelta(minutes=25)
    assert event.body == "Stakeholders briefed (2, tagged press, regulators) with: Holding line."
    assert "Holding line" in line_render(event.message, "zh-hans")
    assert AuditEntry.objects.get(action="stakeholders.brief").changes["recipients"] == sorted(
        [journalist.pk, regulator.pk])


def test_the_record_keeps_who_was_briefed_when_tags_change_later(incident, people, published, journalist, at):
    at(30)
    briefing = stakeholders_brief(incident=incident, actor=people["responder"], statement_id=published.pk,
                                  tags=["财经"])
    stakeholder_update(stakeholder=journalist, actor=people["responder"], expected_version=1, tags=[])
    assert list(Briefing.objects.get(pk=briefing.pk).recipients.all()) == [journalist]


def test_it_refuses_a_statement_not_yet_published_and_writes_nothing(incident, people, journalist, at):
    at(30)
    draft = statements.statement_create(incident=incident, actor=people["responder"], channel="weibo",
                                        kind="holding", body="草稿")
    before = TimelineEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        stakeholders_brief(incident=incident, actor=people["responder"], statement_id=draft.pk, tags=[" "])
    assert set(refused.value.fields) == {"tags"}
    with pytest.raises(InvalidTransition) as refused:
        stakeholders_brief(incident=incident, actor=people["responder"], statement_id=draft.pk, tags=["press"])
    assert set(refused.value.fields) == {"statement"}
    with pytest.raises(NotFound):
        stakeholders_brief(incident=incident, actor=people["responder"], statement_id=10**9, tags=["press"])
    assert not Briefing.objects.exists()
    assert TimelineEvent.objects.count() == before


def test_it_refuses_tags_nobody_carries(incident, people, published, journalist, at):
    at(30)
    with pytest.raises(InvalidInput) as refused:
        stakeholders_brief(incident=incident, actor=people["responder"], statement_id=published.pk, tags=["nobody"])
    assert list(refused.value.fields) == ["tags"]
    assert not Briefing.objects.exists()
