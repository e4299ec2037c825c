"""Viewers follow along but change nothing: no edit controls shown, every post refused."""

import pytest
from django.urls import reverse

from crisis.models import Deadline, Incident, SentimentCheckpoint, Statement, TimelineEvent
from crisis.services.statements import statement_create, statement_submit_for_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(incident, people):
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="我们已关注到相关视频。")
    return statement_submit_for_review(statement=statement, actor=people["responder"])


def test_it_shows_a_viewer_no_edit_controls_in_the_room(client_for, people, incident):
    content = client_for(people["viewer"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert incident.title in content
    for control in ('id="quick-log"', "Change status", "Change severity", "Record correction", "Mark met",
                    "Draft a statement", "Acknowledge</button>"):
        assert control not in content, control


def test_it_shows_a_responder_the_quick_log_but_not_the_commanders_controls(client_for, people, incident):
    content = client_for(people["responder"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    assert 'id="quick-log"' in content
    assert "Change severity" not in content
    assert "Extend</button>" not in content


def test_it_shows_a_viewer_no_review_controls_on_a_statement(client_for, people, statement):
    content = client_for(people["viewer"]).get(reverse("crisis:statement-detail", args=[statement.pk])).content.decode()
    for control in ("Approve this version", "Submit for review", "Save new version", "Publish</button>"):
        assert control not in content, control


def test_it_refuses_every_post_from_a_viewer(client_for, people, incident, statement):
    client = client_for(people["viewer"])
    event = TimelineEvent.objects.filter(incident=incident).first()
    deadline = Deadline.objects.filter(incident=incident, state="pending").first()
    posts = [
        (reverse("crisis:incident-log", args=[incident.pk]), {"body": "x", "kind": "note"}),
        (reverse("crisis:incident-status", args=[incident.pk]), {"status": "contained"}),
        (reverse("crisis:incident-severity", args=[incident.pk]), {"severity": 1}),
        (reverse("crisis:incident-acknowledge", args=[incident.pk]), {}),
        (reverse("crisis:event-correct", args=[incident.pk, event.pk]), {"body": "changed"}),
        (reverse("crisis:event-pin", args=[incident.pk, event.pk]), {"is_pinned": "0"}),
        (reverse("crisis:statement-new", args=[incident.pk]),
         {"channel": "weibo", "kind": "holding", "language": "zh-hans", "body": "x"}),
        (reverse("crisis:statement-action", args=[statement.pk, "approve"]), {"note": ""}),
        (reverse("crisis:statement-action", args=[statement.pk, "revise"]), {"body": "y", "expected_version": 2}),
        (reverse("crisis:sentiment-entry", args=[incident.pk]),
         {"measured_at": "2020-01-01T10:00", "source": "Weibo", "negative_share": "50"}),
        (reverse("crisis:sentiment-upload", args=[incident.pk]), {"text": "measured_at,source\n2020-01-01,W\n"}),
        (reverse("crisis:deadline-action", args=[deadline.pk, "met"]), {"note": "done", "version": deadline.version}),
        (reverse("crisis:incident-open"), {"title": "x"}),
    ]
    before = (TimelineEvent.objects.count(), Statement.objects.count(), SentimentCheckpoint.objects.count(),
              Incident.objects.count())
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    after = (TimelineEvent.objects.count(), Statement.objects.count(), SentimentCheckpoint.objects.count(),
             Incident.objects.count())
    assert after == before
    assert Incident.objects.get(pk=incident.pk).severity == incident.severity


def test_it_answers_404_to_an_outsider_posting_to_an_incident(client_for, people, incident, statement):
    client = client_for(people["outsider"])
    deadline = Deadline.objects.filter(incident=incident).first()
    for url in (reverse("crisis:incident-log", args=[incident.pk]),
                reverse("crisis:statement-action", args=[statement.pk, "approve"]),
                reverse("crisis:deadline-action", args=[deadline.pk, "waive"])):
        assert client.post(url, {"body": "x", "reason": "x", "version": 1}).status_code == 404, url
