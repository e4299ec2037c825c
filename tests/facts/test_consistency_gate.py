"""The "consistency" statement gate: a text must agree with the fact sheet and with what other channels said."""

import pytest

from crisis.facts.services.consistency import consistency_check
from crisis.facts.services.facts import fact_add, fact_retire
from crisis.models import AuditEntry, EventKind, Statement, StatementStatus
from crisis.services import statements
from crisis.services.errors import InvalidInput

pytestmark = pytest.mark.django_db

WEIBO_NOON = "我们已关注到车门无法打开的情况。发布会定于中午12:00举行。"
WECHAT_THREE = "关于车门问题，发布会定于下午3点举行，届时公布调查进展。"


def test_it_refuses_a_draft_that_contradicts_another_channel(published, drafted, people):
    published("weibo", WEIBO_NOON)
    draft = drafted("wechat", WECHAT_THREE)
    with pytest.raises(InvalidInput) as refused:
        statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    reasons = refused.value.fields["overrides.consistency"]
    assert "Weibo said 中午12:00 (12:00); this text says 下午3点 (15:00)." in reasons
    assert Statement.objects.get(pk=draft.pk).status == StatementStatus.DRAFT


def test_it_goes_ahead_over_a_conflict_with_a_reason_and_records_it(published, drafted, people):
    published("weibo", WEIBO_NOON)
    draft = drafted("wechat", WECHAT_THREE)
    statements.statement_submit_for_review(statement=draft, actor=people["responder"],
                                           overrides={"consistency": "The conference moved; Weibo is corrected next"})
    assert draft.status == StatementStatus.IN_REVIEW
    event = draft.incident.events.get(kind=EventKind.DECISION, metadata__override="consistency")
    assert "The conference moved" in event.body and "15:00" in event.body
    audit = AuditEntry.objects.get(action="statement.override")
    assert audit.changes["check"] == "consistency" and "12:00" in audit.changes["found"][0]


def test_it_refuses_to_publish_over_a_conflict_that_appeared_after_review(published, drafted, people):
    draft = drafted("wechat", WECHAT_THREE)
    statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    statements.statement_approve(statement=draft, actor=people["approver"])
    published("weibo", WEIBO_NOON)  # somebody posted on Weibo in the meantime
    with pytest.raises(InvalidInput) as refused:
        statements.statement_publish(statement=draft, actor=people["commander"])
    assert "overrides.consistency" in refused.value.fields


def test_it_does_not_flag_a_text_naming_other_times_for_other_things(published, drafted, people):
    published("weibo", WEIBO_NOON)
    draft = drafted("wechat", "发布会定于中午12:00举行，客服热线下午3点开通，直播晚上8点开始。")
    statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    assert draft.status == StatementStatus.IN_REVIEW


def test_it_compares_only_with_other_channels(published, drafted, people):
    published("weibo", WEIBO_NOON)
    # The same channel's later post is the correction itself; the fact sheet is where the desk settles it.
    draft = drafted("weibo", "更正：发布会改为下午3点举行。")
    assert consistency_check(statement=draft) == []


def test_it_ignores_a_retracted_post(published, drafted, people):
    weibo = published("weibo", WEIBO_NOON)
    statements.statement_retract(statement=weibo, actor=people["commander"], reason="Wrong time")
    assert consistency_check(statement=drafted("wechat", WECHAT_THREE)) == []


def test_it_checks_against_the_fact_sheet(incident, drafted, people):
    fact = fact_add(incident=incident, actor=people["responder"], text="Recall starts 12 December")
    draft = drafted("website", "The recall starts 15 December.", language="en")
    (conflict,) = consistency_check(statement=draft)
    assert (conflict.reference.source, conflict.reference.source_id) == ("fact", fact.pk)
    assert (conflict.theirs.value, conflict.ours.value) == ("12-12", "12-15")
    fact_retire(fact=fact, actor=people["responder"], expected_version=1)
    assert consistency_check(statement=draft) == []


def test_it_records_a_post_that_already_went_out_and_holds_the_next_text_to_it(published, drafted, people):
    published("weibo", WEIBO_NOON)
    douyin = published("douyin", "发布会下午3点举行")  # out from a phone: on record, conflict or not
    assert douyin.status == StatementStatus.PUBLISHED
    conflicts = consistency_check(statement=drafted("wechat", "发布会定于下午3点举行。"))
    assert [(c.reference.label, c.theirs.value) for c in conflicts] == [("Weibo", "12:00")]
