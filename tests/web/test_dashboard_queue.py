"""The dashboard: golden-hours deadlines counted as the room counts them, and the approver's queue."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from crisis.models import Deadline, DeadlineKind, DeadlineState, Role, StatementStatus
from crisis.services.statements import statement_create, statement_revise, statement_submit_for_review
from crisis.web.access import Abilities
from crisis.web.dashboard import approval_queue, dashboard_rows
from crisis.web.views.clock import clock_context
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

HOME = reverse("crisis:home")


def _escalation(incident, *, n: int, state: str, due_in: timedelta) -> Deadline:
    return Deadline.objects.create(
        incident=incident, kind=DeadlineKind.ESCALATION, step_key=f"page-{n}-step-1", name="Escalate page",
        due_at=timezone.now() + due_in, state=state, subject={"page_id": n, "step": 1},
        breached_at=timezone.now() if state == DeadlineState.BREACHED else None,
    )


def test_it_counts_only_golden_hours_deadlines_as_the_room_does(people, org, incident):
    for n in range(13):
        _escalation(incident, n=n, state=DeadlineState.BREACHED, due_in=-timedelta(minutes=5))
    soonest = _escalation(incident, n=99, state=DeadlineState.PENDING, due_in=timedelta(seconds=26))
    Deadline.objects.filter(incident=incident, kind=DeadlineKind.PLAYBOOK, step_key="acknowledge").update(
        state=DeadlineState.BREACHED, breached_at=timezone.now())
    [row] = dashboard_rows(organization=org)
    room = clock_context(incident=incident, abilities=Abilities(role=Role.VIEWER))
    assert row.breached_count == room["breached_count"] == 1
    playbook_pending = Deadline.objects.filter(incident=incident, kind=DeadlineKind.PLAYBOOK,
                                               state=DeadlineState.PENDING).order_by("due_at").first()
    assert row.next_due_at == playbook_pending.due_at != soonest.due_at


def test_it_ignores_cancelled_deadlines_for_the_next_one(org, incident):
    first = Deadline.objects.filter(incident=incident, state=DeadlineState.PENDING).order_by("due_at").first()
    Deadline.objects.filter(pk=first.pk).update(state=DeadlineState.CANCELLED, cancelled_at=timezone.now())
    [row] = dashboard_rows(organization=org)
    assert row.next_due_at > first.due_at


def test_it_shows_the_same_breached_count_on_the_dashboard_page(client_for, people, incident):
    for n in range(16):
        _escalation(incident, n=n, state=DeadlineState.BREACHED, due_in=-timedelta(minutes=5))
    content = client_for(people["viewer"]).get(HOME).content.decode()
    assert '<span class="badge state-breached">16</span>' not in content


# The approver's queue


def _submitted(incident, author, body="我们已经注意到网上的视频，正在核实。"):
    statement = statement_create(incident=incident, actor=author, channel="weibo", kind="holding", body=body)
    statement_submit_for_review(statement=statement, actor=author)
    return statement


def test_it_lists_a_submitted_statement_for_an_approver(client_for, people, incident):
    statement = _submitted(incident, people["responder"])
    with time_machine.travel(timezone.now() + timedelta(minutes=42)):
        response = client_for(people["approver"]).get(HOME)
    content = response.content.decode()
    assert "Waiting for your approval" in content
    [row] = response.context["approval_rows"]
    assert (row.statement, row.submitted_by) == (statement, people["responder"])
    assert "42 min" in content
    assert incident.title in content and "Weibo" in content
    assert reverse("crisis:approval-approve", args=[statement.pk]) in content


def test_it_shows_the_queue_to_commanders_and_admins_but_not_to_responders(client_for, people, incident):
    _submitted(incident, people["responder"])
    for role in ("commander", "admin"):
        assert len(client_for(people[role]).get(HOME).context["approval_rows"]) == 1
    for role in ("viewer", "responder"):
        content = client_for(people[role]).get(HOME).content.decode()
        assert "Waiting for your approval" not in content


def test_it_leaves_out_the_approvers_own_words(people, org, incident):
    _submitted(incident, people["approver"], body="Our own text")
    # Someone else re-saved it with a space changed: still the approver's words, which the service refuses.
    other = statement_create(incident=incident, actor=people["approver"], channel="x", kind="holding",
                             body="第一句话")
    statement_revise(statement=other, actor=people["commander"], body="第一句 话")
    statement_submit_for_review(statement=other, actor=people["commander"])
    assert approval_queue(user=people["approver"], organization=org) == []
    assert len(approval_queue(user=people["admin"], organization=org)) == 2


def test_it_lists_nothing_in_draft_or_already_approved_or_from_another_organization(people, org, incident):
    statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding", body="draft")
    done = _submitted(incident, people["responder"])
    done.status = StatementStatus.APPROVED
    done.save(update_fields=["status"])
    elsewhere = OrganizationFactory()
    assert approval_queue(user=people["approver"], organization=org) == []
    assert approval_queue(user=member(elsewhere, Role.APPROVER), organization=elsewhere) == []


def test_it_says_so_when_nothing_is_waiting(client_for, people, incident):
    content = client_for(people["approver"]).get(HOME).content.decode()
    assert "Nothing is waiting for your approval." in content


def test_it_approves_from_the_queue(client_for, people, incident):
    statement = _submitted(incident, people["responder"])
    response = client_for(people["approver"]).post(reverse("crisis:approval-approve", args=[statement.pk]),
                                                   follow=True)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED
    assert response.context["approval_rows"] == []
    assert "Approved:" in response.content.decode()


def test_it_says_why_an_approval_from_the_queue_was_refused(client_for, people, incident):
    statement = _submitted(incident, people["responder"])
    response = client_for(people["responder"]).post(reverse("crisis:approval-approve", args=[statement.pk]),
                                                    follow=True)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.IN_REVIEW
    assert response.redirect_chain[-1][0] == HOME
    [message] = list(response.context["messages"])
    assert message.level_tag == "error" and "Approved" not in message.message


def test_it_does_not_approve_another_organizations_statement(client_for, people, incident):
    statement = _submitted(incident, people["responder"])
    response = client_for(people["outsider"]).post(reverse("crisis:approval-approve", args=[statement.pk]))
    statement.refresh_from_db()
    assert (response.status_code, statement.status) == (404, StatementStatus.IN_REVIEW)


@pytest.mark.parametrize("waiting", [0, 1, 30])
def test_it_keeps_the_dashboard_query_count_flat_with_a_queue(client_for, people, incident,
                                                              django_assert_max_num_queries, waiting):
    for n in range(waiting):
        _submitted(incident, people["responder"], body=f"text {n}")
    client = client_for(people["approver"])
    with django_assert_max_num_queries(15):  # crisis.listening: +2 for the sentiment levels
        response = client.get(HOME)
    assert len(response.context["approval_rows"]) == waiting


def test_it_tells_the_second_of_two_approvers_that_the_first_was_quicker(client_for, people, incident):
    statement = _submitted(incident, people["responder"])
    first, second = client_for(people["approver"]), client_for(people["commander"])
    assert len(second.get(HOME).context["approval_rows"]) == 1  # both see it waiting
    first.post(reverse("crisis:approval-approve", args=[statement.pk]))
    response = second.post(reverse("crisis:approval-approve", args=[statement.pk]), follow=True)
    [message] = list(response.context["messages"])
    assert message.level_tag == "error" and "approved" in message.message
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED
    assert statement.versions.get().approvals.count() == 1
