"""The statement composer: drafts, versions and their diff, review by someone else, publish, retract."""

import pytest
from django.urls import reverse

from crisis.models import Deadline, Statement
from crisis.services.statements import (
    statement_approve,
    statement_create,
    statement_publish,
    statement_revise,
    statement_submit_for_review,
)

pytestmark = pytest.mark.django_db


def _act(client, statement, action, data=None):
    return client.post(reverse("crisis:statement-action", args=[statement.pk, action]), data or {})


@pytest.fixture
def draft(incident, people):
    return statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                            body="我们已关注到视频。\n正在调查。")


def test_it_drafts_a_statement_from_the_composer(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:statement-new", args=[incident.pk]), {
        "channel": "x", "kind": "holding", "language": "en", "title": "", "body": "We are aware.\r\nMore soon."})
    statement = Statement.objects.get(incident=incident)
    assert response.status_code == 302
    assert statement.current_version.body == "We are aware.\nMore soon."


def test_it_refuses_text_over_the_channels_limit_with_the_reason(client_for, people, incident):
    response = client_for(people["responder"]).post(reverse("crisis:statement-new", args=[incident.pk]), {
        "channel": "x", "kind": "holding", "language": "en", "body": "a" * 281})
    assert response.status_code == 400
    assert "accepts at most 280 characters" in response.content.decode()
    assert not Statement.objects.exists()


def test_it_shows_the_character_count_against_every_channel_limit(client_for, people, draft):
    content = client_for(people["viewer"]).get(reverse("crisis:statement-detail", args=[draft.pk])).content.decode()
    assert "15 characters" in content
    assert "Weibo allows 2000" in content


def test_it_runs_draft_review_approval_and_publication(client_for, people, draft):
    assert _act(client_for(people["responder"]), draft, "submit").status_code == 302
    assert _act(client_for(people["approver"]), draft, "approve", {"note": "ok"}).status_code == 302
    response = _act(client_for(people["commander"]), draft, "publish", {"public_url": "https://weibo.example.com/1"})
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == "published"
    assert draft.public_url == "https://weibo.example.com/1"
    assert Deadline.objects.get(incident=draft.incident, step_key="holding-statement").state == "met"


def test_it_tells_the_author_they_cannot_approve_their_own_text(client_for, people, incident):
    statement = statement_create(incident=incident, actor=people["approver"], channel="weibo", kind="holding",
                                 body="草稿")
    statement_submit_for_review(statement=statement, actor=people["approver"])
    client = client_for(people["approver"])
    page = client.get(reverse("crisis:statement-detail", args=[statement.pk])).content.decode()
    assert "another approver must approve it" in page
    response = _act(client, statement, "approve")
    assert response.status_code == 403
    assert "cannot approve it" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == "in_review"


def test_it_saves_a_revision_and_diffs_it_side_by_side(client_for, people, draft):
    client = client_for(people["responder"])
    response = _act(client, draft, "revise", {"body": "我们已关注到视频。\n目前无人受伤，正在调查。",
                                              "expected_version": draft.version})
    assert response.status_code == 302
    content = client.get(reverse("crisis:statement-detail", args=[draft.pk])).content.decode()
    assert "Changes from v1 to v2" in content
    assert "<ins>目前无人受伤，</ins>" in content


def test_it_refuses_a_revision_made_on_a_stale_page(client_for, people, draft):
    stale = draft.version
    statement_revise(statement=draft, actor=people["commander"], body="newer text")
    response = _act(client_for(people["responder"]), draft, "revise", {"body": "mine", "expected_version": stale})
    assert response.status_code == 409
    assert "reload and try again" in response.content.decode()


def test_it_retracts_a_published_statement_with_a_reason(client_for, people, draft):
    statement_submit_for_review(statement=draft, actor=people["responder"])
    statement_approve(statement=draft, actor=people["approver"])
    statement_publish(statement=draft, actor=people["commander"])
    response = _act(client_for(people["commander"]), draft, "retract", {"reason": "wrong train number"})
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.status == "retracted"
