"""The desk: the statement page offers the promises it found; the room shows the open ones counting down."""

import pytest
from django.urls import reverse

from crisis.commitments.models import Commitment, CommitmentState
from crisis.commitments.services.changes import commitment_confirm

pytestmark = pytest.mark.django_db

BODY = "我们高度重视。我们将在24小时内向市场监管部门提交书面说明。我们将于今晚公布调查进展。"


def _room(client, incident):
    return client.get(reverse("crisis:incident-room", args=[incident.pk]))


def test_the_room_says_when_no_promise_is_open(commanded_incident, people, client_for):
    incident = commanded_incident()
    page = _room(client_for(people["viewer"]), incident)
    assert page.status_code == 200
    assert "No promise made in public is open." in page.content.decode()


def test_the_room_shows_one_open_promise_with_its_countdown(commanded_incident, people, published, client_for, at):
    incident = commanded_incident()
    at(12)
    statement, (suggestion,) = published(incident, "We will publish the test results within 2 hours.", at=10)
    commitment_confirm(commitment=suggestion, actor=people["responder"])
    html = _room(client_for(people["viewer"]), incident).content.decode()
    assert "We will publish the test results within 2 hours." in html
    assert "due in 1 h 58 min" in html


def test_the_room_shows_many_promises_overdue_first_and_caps_the_list(
        commanded_incident, people, published, client_for, at, django_assert_max_num_queries):
    incident = commanded_incident()
    at(12)
    text = "".join(f"我们将在{n}小时内公布第{n}批检测结果。" for n in range(1, 24))
    statement, suggestions = published(incident, text, at=10)
    for suggestion in suggestions:
        commitment_confirm(commitment=suggestion, actor=people["responder"])
    at(200)
    client = client_for(people["viewer"])
    with django_assert_max_num_queries(80):
        html = _room(client, incident).content.decode()
    assert "overdue by" in html
    assert html.count("data-commitment=") == 20
    assert "More promises are open" in html


def test_the_statement_page_finds_and_confirms_promises(commanded_incident, people, client_for, at):
    from crisis.services.statements import statement_create

    incident = commanded_incident()
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body=BODY)
    client = client_for(people["responder"])
    answer = client.post(reverse("commitments:suggest", args=[statement.pk]))
    assert answer.status_code == 302
    page = client.get(reverse("crisis:statement-detail", args=[statement.pk])).content.decode()
    assert "24小时内" in page and "Confirm or correct" in page
    first = Commitment.objects.filter(statement=statement).order_by("due_at").first()
    answer = client.post(reverse("commitments:action", args=[first.pk, "confirm"]), {
        "audience": "regulator", "audience_name": "市场监管局", "warn_before_minutes": "15",
        "owner": str(people["approver"].pk), "due_at": ""})
    assert answer.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.owner) == (CommitmentState.CONFIRMED, people["approver"])
    assert first.audience_name == "市场监管局"
    assert not first.is_due_set_by_hand


def test_a_refused_change_shows_the_page_again_with_the_reason(commanded_incident, people, published, client_for, at):
    incident = commanded_incident()
    at(12)
    statement, (suggestion,) = published(incident, "We will publish the test results within 2 hours.", at=10)
    client = client_for(people["responder"])
    answer = client.post(reverse("commitments:action", args=[suggestion.pk, "confirm"]), {
        "audience": "public", "warn_before_minutes": "99999"})
    assert answer.status_code == 400
    assert Commitment.objects.get(pk=suggestion.pk).state == CommitmentState.SUGGESTED


def test_the_panel_s_fingerprint_is_one_query_and_moves_with_a_change(
        commanded_incident, people, published, at, django_assert_num_queries):
    from crisis.commitments.panel import commitments_panel

    incident = commanded_incident()
    at(12)
    fingerprint = commitments_panel().fingerprint
    with django_assert_num_queries(1):
        before = fingerprint(incident.pk)
    statement, (suggestion,) = published(incident, "We will publish the test results within 2 hours.", at=10)
    commitment_confirm(commitment=suggestion, actor=people["responder"])
    assert fingerprint(incident.pk) != before


def test_the_statement_page_reads_many_promises_in_a_flat_number_of_queries(
        commanded_incident, people, published, client_for, at, django_assert_max_num_queries):
    incident = commanded_incident()
    at(12)
    text = "".join(f"我们将在{n}小时内公布第{n}批检测结果。" for n in range(1, 31))
    statement, suggestions = published(incident, text, at=10)
    for suggestion in suggestions[:10]:
        commitment_confirm(commitment=suggestion, actor=people["responder"])
    client = client_for(people["commander"])
    with django_assert_max_num_queries(20):
        page = client.get(reverse("crisis:statement-detail", args=[statement.pk]))
    assert page.content.decode().count("data-commitment=") == 30
