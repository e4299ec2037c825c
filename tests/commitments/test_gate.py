"""A promise confirmed on a draft that a revision no longer makes is not tracked behind the author's back: submitting
or publishing stops on it, like any statement check, until it is dismissed, put back, or gone ahead over."""

import pytest
from django.urls import reverse

from crisis.commitments.models import Commitment, CommitmentState
from crisis.commitments.services.changes import commitment_confirm, commitment_dismiss
from crisis.commitments.services.suggestions import commitment_suggest
from crisis.models import AuditEntry, DeadlineKind, StatementStatus
from crisis.services.errors import InvalidInput
from crisis.services.statements import (
    statement_approve,
    statement_create,
    statement_publish,
    statement_revise,
    statement_submit_for_review,
)

pytestmark = pytest.mark.django_db

WITH_PROMISE = "我们高度重视。我们将在3小时内公布初步检测结果。"
WITHOUT = "我们高度重视，正在调查。"


def _draft_with_confirmed_promise(incident, people):
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body=WITH_PROMISE)
    (suggestion,) = commitment_suggest(statement=statement, actor=people["responder"])
    return statement, commitment_confirm(commitment=suggestion, actor=people["responder"])


def test_a_revision_that_drops_a_confirmed_promise_stops_the_submission(commanded_incident, people, at):
    incident = commanded_incident()
    at(10)
    statement, promise = _draft_with_confirmed_promise(incident, people)
    statement_revise(statement=statement, actor=people["responder"], body=WITHOUT)
    with pytest.raises(InvalidInput) as refused:
        statement_submit_for_review(statement=statement, actor=people["responder"])
    assert "我们将在3小时内公布初步检测结果。" in refused.value.fields["overrides.promises"][0]
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT
    commitment_dismiss(commitment=Commitment.objects.get(pk=promise.pk), actor=people["responder"])
    statement_submit_for_review(statement=statement, actor=people["responder"])
    assert statement.status == StatementStatus.IN_REVIEW


def test_going_ahead_over_it_is_recorded_and_the_promise_is_tracked(commanded_incident, people, at):
    incident = commanded_incident()
    at(10)
    statement, promise = _draft_with_confirmed_promise(incident, people)
    statement_revise(statement=statement, actor=people["responder"], body=WITHOUT)
    statement_submit_for_review(statement=statement, actor=people["responder"],
                                overrides={"promises": "我们会在评论区单独说明"})
    statement_approve(statement=statement, actor=people["approver"])
    statement_publish(statement=statement, actor=people["commander"], overrides={"promises": "评论区说明"})
    assert Commitment.objects.get(pk=promise.pk).state == CommitmentState.OPEN
    assert incident.deadlines.filter(kind=DeadlineKind.COMMITMENT).count() == 1
    assert AuditEntry.objects.filter(action="statement.override", changes__check="promises").count() == 2


def test_a_promise_whose_words_the_author_edited_passes_while_its_time_is_still_said(commanded_incident, people, at):
    incident = commanded_incident()
    at(10)
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body=WITH_PROMISE)
    (suggestion,) = commitment_suggest(statement=statement, actor=people["responder"])
    commitment_confirm(commitment=suggestion, actor=people["responder"], text="公布初步检测结果")
    statement_revise(statement=statement, actor=people["responder"],
                     body="我们将在3小时内公布初步检测结果和下一步安排。")
    statement_submit_for_review(statement=statement, actor=people["responder"])
    assert statement.status == StatementStatus.IN_REVIEW


def test_the_statement_page_says_which_promise_and_takes_a_reason_to_go_ahead(commanded_incident, people, at,
                                                                              client_for):
    incident = commanded_incident()
    at(10)
    statement, promise = _draft_with_confirmed_promise(incident, people)
    statement_revise(statement=statement, actor=people["responder"], body=WITHOUT)
    client, url = client_for(people["responder"]), reverse("crisis:statement-action", args=[statement.pk, "submit"])
    refused = client.post(url)
    assert refused.status_code == 400
    assert "no longer in its text: “我们将在3小时内公布初步检测结果。”" in refused.content.decode()
    assert 'name="override_reason"' in refused.content.decode()  # the box the refusal points to
    assert client.post(url, {"override_reason": "评论区单独说明"}).status_code == 302
    statement.refresh_from_db()
    assert statement.status == StatementStatus.IN_REVIEW
