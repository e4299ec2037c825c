from datetime import UTC, datetime, timedelta

import pytest

from crisis.models import (
    AuditEntry,
    EventKind,
    Statement,
    StatementApproval,
    StatementStatus,
    StatementVersion,
    TimelineEvent,
)
from crisis.services import statements
from crisis.services.errors import ConcurrentUpdate, InvalidInput, InvalidTransition, PermissionDenied
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

St = StatementStatus
NOW = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)
HOLDING = "我们已关注到今天G1375次列车上一台手机冒烟的视频，目前无人受伤，将在18:00前公布初步结果。"


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def incident(org):
    return IncidentFactory(organization=org)


@pytest.fixture
def draft(incident, people):
    return statements.statement_create(incident=incident, actor=people["responder"], channel="weibo",
                                       kind="holding", body=HOLDING)


@pytest.fixture
def in_review(draft, people):
    return statements.statement_submit_for_review(statement=draft, actor=people["responder"])


@pytest.fixture
def approved(in_review, people):
    statements.statement_approve(statement=in_review, actor=people["approver"])
    return in_review


@pytest.fixture
def published(approved, people):
    return statements.statement_publish(statement=approved, actor=people["commander"],
                                        public_url="https://weibo.example.com/lumen/1")


def fresh(statement):
    return Statement.objects.get(pk=statement.pk)


def stale(statement):
    return Statement.objects.select_related("current_version", "incident__organization").get(pk=statement.pk)


def statement_events(statement):
    return TimelineEvent.objects.filter(kind=EventKind.STATEMENT, metadata__statement_id=statement.pk).order_by("id")


# Drafting


def test_it_drafts_a_statement_with_its_first_version(draft, people):
    statement = fresh(draft)
    assert (statement.status, statement.current_version.number, statement.current_version.body) == (
        St.DRAFT, 1, HOLDING)
    assert statement.current_version.author == people["responder"]
    assert statement.current_version.created_at == NOW


def test_it_records_the_draft_on_the_timeline_and_in_the_audit_log(draft):
    assert [e.metadata["status"] for e in statement_events(draft)] == [St.DRAFT]
    assert AuditEntry.objects.filter(action="statement.create", object_id=str(draft.pk)).exists()


def test_it_accepts_a_weibo_post_of_exactly_2000_characters(incident, people):
    statement = statements.statement_create(incident=incident, actor=people["responder"], channel="weibo",
                                            kind="full", body="字" * 2000)
    assert len(statement.current_version.body) == 2000


def test_it_refuses_a_weibo_post_of_2001_characters(incident, people):
    with pytest.raises(InvalidInput) as exc:
        statements.statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="full",
                                    body="字" * 2001)
    assert "body" in exc.value.fields
    assert "2000" in exc.value.message
    assert not Statement.objects.exists()


def test_it_refuses_a_post_on_x_longer_than_280_characters(incident, people):
    with pytest.raises(InvalidInput):
        statements.statement_create(incident=incident, actor=people["responder"], channel="x", kind="holding",
                                    language="en", body="a" * 281)


def test_it_lets_a_press_release_run_long(incident, people):
    statement = statements.statement_create(incident=incident, actor=people["responder"], channel="press_release",
                                            kind="full", language="en", body="a" * 10_000)
    assert statement.pk is not None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"channel": "myspace"}, "channel", id="unknown_channel"),
        pytest.param({"kind": "press_conference"}, "kind", id="unknown_kind"),
        pytest.param({"language": "fr"}, "language", id="unknown_language"),
        pytest.param({"title": "t" * 201}, "title", id="long_title"),
        pytest.param({"body": "   "}, "body", id="blank_body"),
        pytest.param({"body": "x" * (10 * 1024 * 1024), "channel": "website"}, "body", id="ten_megabytes"),
    ],
)
def test_it_refuses_an_invalid_draft(incident, people, overrides, field):
    fields = {"incident": incident, "actor": people["responder"], "channel": "weibo", "kind": "holding",
              "body": HOLDING}
    fields.update(overrides)
    with pytest.raises(InvalidInput) as exc:
        statements.statement_create(**fields)
    assert field in exc.value.fields


# The review cycle


def test_it_submits_a_draft_for_review(in_review):
    assert fresh(in_review).status == St.IN_REVIEW


def test_it_lets_an_approver_approve_the_current_version(approved, people):
    approval = StatementApproval.objects.get()
    assert fresh(approved).status == St.APPROVED
    assert (approval.version, approval.approver) == (approved.current_version, people["approver"])


def test_it_refuses_approval_by_the_author_of_the_text(incident, people):
    statement = statements.statement_create(incident=incident, actor=people["approver"], channel="weibo",
                                            kind="holding", body=HOLDING)
    statements.statement_submit_for_review(statement=statement, actor=people["approver"])
    with pytest.raises(PermissionDenied):
        statements.statement_approve(statement=statement, actor=people["approver"])
    assert fresh(statement).status == St.IN_REVIEW
    assert not StatementApproval.objects.exists()


def test_it_refuses_approval_by_the_author_of_a_revision(in_review, people):
    statements.statement_revise(statement=in_review, actor=people["commander"], body=HOLDING + "（更新）")
    statements.statement_submit_for_review(statement=in_review, actor=people["responder"])
    with pytest.raises(PermissionDenied):
        statements.statement_approve(statement=in_review, actor=people["commander"])


def test_it_refuses_approval_by_a_responder(in_review, people):
    with pytest.raises(PermissionDenied):
        statements.statement_approve(statement=in_review, actor=people["responder"])


def test_it_refuses_to_approve_a_draft_that_was_not_submitted(draft, people):
    with pytest.raises(InvalidTransition):
        statements.statement_approve(statement=draft, actor=people["approver"])


def test_it_publishes_an_approved_statement(published, people):
    statement = fresh(published)
    assert (statement.status, statement.published_at, statement.published_version_id, statement.public_url) == (
        St.PUBLISHED, NOW, statement.current_version_id, "https://weibo.example.com/lumen/1")


def test_it_pins_the_publication_on_the_timeline_at_the_time_it_went_out(approved, people):
    went_out = NOW - timedelta(minutes=4)
    statements.statement_publish(statement=approved, actor=people["commander"], published_at=went_out)
    event = statement_events(approved).last()
    assert (event.occurred_at, event.is_pinned, event.metadata["status"], event.metadata["version"]) == (
        went_out, True, St.PUBLISHED, 1)
    assert AuditEntry.objects.filter(action="statement.publish", object_id=str(approved.pk)).exists()


def test_it_refuses_publication_by_a_responder(approved, people):
    with pytest.raises(PermissionDenied):
        statements.statement_publish(statement=approved, actor=people["responder"])
    assert fresh(approved).status == St.APPROVED


def test_it_refuses_publication_by_an_approver(approved, people):
    with pytest.raises(PermissionDenied):
        statements.statement_publish(statement=approved, actor=people["approver"])


@pytest.mark.parametrize("fixture", ["draft", "in_review"])
def test_it_refuses_to_publish_an_unapproved_statement(request, people, fixture):
    statement = request.getfixturevalue(fixture)
    with pytest.raises(InvalidTransition):
        statements.statement_publish(statement=statement, actor=people["commander"])


def test_it_returns_to_draft_when_an_approved_text_is_revised(approved, people):
    statements.statement_revise(statement=approved, actor=people["responder"], body=HOLDING + "我们很抱歉。")
    statement = fresh(approved)
    assert (statement.status, statement.current_version.number) == (St.DRAFT, 2)


def test_it_refuses_to_publish_a_revision_made_after_approval(approved, people):
    statements.statement_revise(statement=approved, actor=people["responder"], body=HOLDING + "我们很抱歉。")
    with pytest.raises(InvalidTransition):
        statements.statement_publish(statement=approved, actor=people["commander"])
    assert not fresh(approved).published_at


def test_it_refuses_to_publish_when_only_an_older_version_was_approved(approved, people):
    # Reaching "approved" with an unapproved current text takes a write that bypasses the services;
    # the publish check must still hold.
    newer = StatementVersion.objects.create(statement=approved, number=2, body="未经审核的文字",
                                            author=people["responder"], created_at=NOW)
    Statement.objects.filter(pk=approved.pk).update(current_version=newer)
    with pytest.raises(InvalidTransition, match="no approval"):
        statements.statement_publish(statement=stale(approved), actor=people["commander"])


def test_it_publishes_the_revision_once_it_is_approved_again(approved, people):
    statements.statement_revise(statement=approved, actor=people["responder"], body=HOLDING + "我们很抱歉。")
    statements.statement_submit_for_review(statement=approved, actor=people["responder"])
    statements.statement_approve(statement=approved, actor=people["approver"])
    statements.statement_publish(statement=approved, actor=people["commander"])
    assert fresh(approved).published_version.number == 2


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x"])
def test_it_refuses_a_public_url_that_is_not_http(approved, people, url):
    with pytest.raises(InvalidInput) as exc:
        statements.statement_publish(statement=approved, actor=people["commander"], public_url=url)
    assert "public_url" in exc.value.fields


def test_it_refuses_a_publication_time_in_the_future(approved, people):
    with pytest.raises(InvalidInput) as exc:
        statements.statement_publish(statement=approved, actor=people["commander"],
                                     published_at=NOW + timedelta(hours=1))
    assert "published_at" in exc.value.fields


def test_it_retracts_a_published_statement_with_a_reason(published, people):
    statements.statement_retract(statement=published, actor=people["commander"], reason="Wrong train number.")
    statement = fresh(published)
    assert (statement.status, statement.retracted_at) == (St.RETRACTED, NOW)
    assert statement_events(published).last().metadata["reason"] == "Wrong train number."


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_it_refuses_a_retraction_without_a_reason(published, people, reason):
    with pytest.raises(InvalidInput) as exc:
        statements.statement_retract(statement=published, actor=people["commander"], reason=reason)
    assert "reason" in exc.value.fields
    assert fresh(published).status == St.PUBLISHED


def test_it_refuses_to_retract_a_statement_that_was_never_published(approved, people):
    with pytest.raises(InvalidTransition):
        statements.statement_retract(statement=approved, actor=people["commander"], reason="Changed our mind.")


@pytest.mark.parametrize("fixture", ["published", "retracted"])
def test_it_refuses_to_revise_a_statement_that_went_out(request, people, fixture):
    statement = request.getfixturevalue(fixture)
    with pytest.raises(InvalidTransition):
        statements.statement_revise(statement=statement, actor=people["responder"], body="新的文字")


@pytest.fixture
def retracted(published, people):
    return statements.statement_retract(statement=published, actor=people["commander"], reason="Wrong facts.")


def test_it_refuses_a_revision_over_the_channel_limit(draft, people):
    with pytest.raises(InvalidInput):
        statements.statement_revise(statement=draft, actor=people["responder"], body="字" * 2001)
    assert fresh(draft).current_version.number == 1


def test_it_keeps_every_version_of_the_text(draft, people):
    statements.statement_revise(statement=draft, actor=people["responder"], body="第二版")
    statements.statement_revise(statement=draft, actor=people["commander"], body="第三版")
    assert list(draft.versions.values_list("number", "body")) == [(1, HOLDING), (2, "第二版"), (3, "第三版")]


# Lost races: each compare-and-set, with a copy read before somebody else's change


def test_it_loses_the_submit_race(draft, people):
    other = stale(draft)
    statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    with pytest.raises(ConcurrentUpdate):
        statements.statement_submit_for_review(statement=other, actor=people["commander"])
    assert fresh(draft).version == 2


def test_it_loses_the_approve_race_to_another_approver(in_review, people):
    other = stale(in_review)
    statements.statement_approve(statement=in_review, actor=people["approver"])
    with pytest.raises(ConcurrentUpdate):
        statements.statement_approve(statement=other, actor=people["commander"])
    assert list(StatementApproval.objects.values_list("approver", flat=True)) == [people["approver"].pk]


def test_it_loses_the_approve_race_to_a_revision(in_review, people):
    other = stale(in_review)
    statements.statement_revise(statement=in_review, actor=people["responder"], body="改过的文字")
    with pytest.raises(ConcurrentUpdate):
        statements.statement_approve(statement=other, actor=people["approver"])
    assert not StatementApproval.objects.exists()
    assert fresh(in_review).status == St.DRAFT


def test_it_loses_the_publish_race(approved, people):
    other = stale(approved)
    statements.statement_publish(statement=approved, actor=people["commander"], published_at=NOW)
    with pytest.raises(ConcurrentUpdate):
        statements.statement_publish(statement=other, actor=people["admin"], published_at=NOW - timedelta(minutes=1))
    assert fresh(approved).published_at == NOW
    assert len([e for e in statement_events(approved) if e.metadata["status"] == St.PUBLISHED]) == 1


def test_it_loses_the_publish_race_to_a_revision(approved, people):
    other = stale(approved)
    statements.statement_revise(statement=approved, actor=people["responder"], body="改过的文字")
    with pytest.raises(ConcurrentUpdate):
        statements.statement_publish(statement=other, actor=people["commander"])
    assert fresh(approved).published_version is None


def test_it_loses_the_retract_race(published, people):
    other = stale(published)
    statements.statement_retract(statement=published, actor=people["commander"], reason="Wrong facts.")
    with pytest.raises(ConcurrentUpdate):
        statements.statement_retract(statement=other, actor=people["admin"], reason="Also wrong.")
    assert AuditEntry.objects.filter(action="statement.retract").count() == 1


def test_it_loses_the_revise_race_to_another_revision(draft, people):
    other = stale(draft)
    statements.statement_revise(statement=draft, actor=people["responder"], body="第二版：张")
    with pytest.raises(ConcurrentUpdate):
        statements.statement_revise(statement=other, actor=people["commander"], body="第二版：李")
    assert list(draft.versions.values_list("body", flat=True)) == [HOLDING, "第二版：张"]


def test_it_loses_the_revise_race_to_a_submission(draft, people):
    other = stale(draft)
    statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    with pytest.raises(ConcurrentUpdate):
        statements.statement_revise(statement=other, actor=people["commander"], body="第二版")
    assert draft.versions.count() == 1
    assert fresh(draft).status == St.IN_REVIEW


def test_it_refuses_a_revision_against_an_old_version_number(draft, people):
    seen = draft.version
    statements.statement_submit_for_review(statement=draft, actor=people["responder"])
    with pytest.raises(ConcurrentUpdate) as exc:
        statements.statement_revise(statement=draft, actor=people["responder"], body="第二版", expected_version=seen)
    assert "version" in exc.value.fields
    assert draft.versions.count() == 1


@pytest.fixture
def approvers_draft(incident, people):
    """A holding statement whose words an approver wrote."""
    return statements.statement_create(incident=incident, actor=people["approver"], channel="weibo",
                                       kind="holding", body=HOLDING)


def test_it_keeps_an_approver_from_approving_their_own_words_re_saved_by_a_responder(approvers_draft, people):
    statements.statement_revise(statement=approvers_draft, actor=people["responder"], body=HOLDING)
    statements.statement_submit_for_review(statement=approvers_draft, actor=people["responder"])

    with pytest.raises(PermissionDenied):
        statements.statement_approve(statement=approvers_draft, actor=people["approver"])
    assert fresh(approvers_draft).status == St.IN_REVIEW
    assert not StatementApproval.objects.exists()


def test_it_saves_no_new_version_for_unchanged_text(approvers_draft, people):
    version = statements.statement_revise(statement=approvers_draft, actor=people["responder"], body=HOLDING)

    assert list(StatementVersion.objects.filter(statement=approvers_draft).values_list("number", "author")) == [
        (1, people["approver"].pk)]
    assert version == fresh(approvers_draft).current_version
    assert not AuditEntry.objects.filter(action="statement.revise").exists()


def test_it_keeps_an_approved_text_approved_when_it_is_saved_unchanged(approved, people):
    statements.statement_revise(statement=approved, actor=people["responder"], body=HOLDING)
    statements.statement_publish(statement=approved, actor=people["commander"])

    assert fresh(approved).published_version.number == 1


@pytest.mark.parametrize("resaved", [HOLDING + "\n", HOLDING.replace("，", "， "), f"  {HOLDING}\r\n"],
                         ids=["trailing-newline", "extra-space", "crlf-and-indent"])
def test_it_keeps_the_words_author_from_approving_a_whitespace_only_change(approvers_draft, people, resaved):
    statements.statement_revise(statement=approvers_draft, actor=people["responder"], body=resaved)
    statements.statement_submit_for_review(statement=approvers_draft, actor=people["responder"])

    with pytest.raises(PermissionDenied):
        statements.statement_approve(statement=approvers_draft, actor=people["approver"])


def test_it_keeps_the_words_author_from_approving_them_when_a_revision_goes_back_to_them(approvers_draft, people):
    statements.statement_revise(statement=approvers_draft, actor=people["responder"], body=HOLDING + "我们很抱歉。")
    statements.statement_revise(statement=approvers_draft, actor=people["responder"], body=HOLDING)
    statements.statement_submit_for_review(statement=approvers_draft, actor=people["responder"])

    with pytest.raises(PermissionDenied):
        statements.statement_approve(statement=approvers_draft, actor=people["approver"])


def test_it_lets_an_approver_approve_a_responders_rewrite_of_their_draft(approvers_draft, people):
    statements.statement_revise(statement=approvers_draft, actor=people["responder"], body=HOLDING + "我们很抱歉。")
    statements.statement_submit_for_review(statement=approvers_draft, actor=people["responder"])
    statements.statement_approve(statement=approvers_draft, actor=people["approver"])

    assert fresh(approvers_draft).status == St.APPROVED
