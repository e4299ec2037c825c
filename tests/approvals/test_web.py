"""The desk: the approver's "waiting for you" queue, the chain on the statement page, the admin's chain form."""

from datetime import timedelta

import pytest
from django.urls import reverse

from crisis.approvals.models import ApprovalChain, StatementReview
from crisis.models import Deadline, DeadlineKind, DeadlineState
from crisis.services.statements import statement_approve, statement_create
from crisis.web.dashboard import approval_queue
from tests.deadline_helpers import T0

from .conftest import three_steps

pytestmark = pytest.mark.django_db

HOME = reverse("crisis:home")
CHAINS = reverse("approvals:chains")
EDIT_HOLDING = reverse("approvals:chain-edit", args=["holding"])


def queue_section(content: str) -> str:
    start = content.index('id="approval-queue"')
    return content[start:content.index("</section>", start)]


def test_the_queue_says_so_when_nothing_waits_for_this_approver(client_for, incident, holding_chain, submitted,
                                                                 signers):
    holding_chain()
    submitted(incident)
    content = client_for(signers["pr_lead"]).get(HOME).content.decode()
    assert "Nothing is waiting for your approval." in queue_section(content)


def test_the_queue_shows_the_step_how_long_it_waited_and_its_limit(client_for, incident, holding_chain, submitted,
                                                                    signers, at):
    holding_chain()
    statement = submitted(incident)
    at(12)
    response = client_for(signers["legal"]).get(HOME)
    [row] = response.context["approval_rows"]
    assert (row.statement, row.step.name, row.limit_minutes) == (statement, "Legal", 15)
    section = queue_section(response.content.decode())
    assert "Step 1 of 3: Legal" in section
    assert "7 min" in section and "limit 15 min" in section
    assert 'data-due="' in section and ">due <time" in section and "state-breached" not in section


def test_the_queue_marks_a_step_past_its_limit(client_for, incident, holding_chain, submitted, signers, at):
    holding_chain()
    submitted(incident)
    at(30)
    section = queue_section(client_for(signers["legal_deputy"]).get(HOME).content.decode())
    assert "state-breached" in section and "25 min" in section


def test_the_queue_lists_many_in_a_fixed_number_of_queries(incident, org, holding_chain, submitted, signers,
                                                            people, django_assert_max_num_queries):
    holding_chain()
    statements = [submitted(incident, body=f"第{n}版声明。") for n in range(6)]
    for statement in statements[:3]:
        statement_approve(statement=statement, actor=signers["legal"])
    submitted(incident, kind="apology", body="对不起。")
    with django_assert_max_num_queries(5):
        rows = approval_queue(user=signers["pr_lead"], organization=org)
    assert len(rows) == 4  # three at the PR lead's step, and the apology (no chain) any approver may sign
    assert [r.step.name if r.step else None for r in rows].count("PR lead") == 3
    assert len(approval_queue(user=signers["legal"], organization=org)) == 4  # three left at legal, one apology


def test_the_statement_page_shows_each_step_who_approved_and_who_it_waits_for(client_for, incident, holding_chain,
                                                                               submitted, signers, people, at):
    holding_chain()
    statement = submitted(incident)
    at(9)
    statement_approve(statement=statement, actor=signers["legal"])
    content = client_for(people["viewer"]).get(reverse("crisis:statement-detail", args=[statement.pk])).content
    content = content.decode()
    chain = content[content.index('id="approval-chain"'):]
    assert "approved by legal" in chain
    assert "waiting for pr_lead" in chain and 'data-due="' in chain
    assert "not started" in chain
    page = client_for(signers["pr_lead"]).get(reverse("crisis:statement-detail", args=[statement.pk])).content
    assert "Approve step 2: PR lead" in page.decode()


def test_the_statement_page_shows_the_chain_a_draft_will_go_through(client_for, incident, holding_chain, people):
    from crisis.services.statements import statement_create

    holding_chain()
    draft = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                             body="草稿")
    content = client_for(people["responder"]).get(reverse("crisis:statement-detail", args=[draft.pk])).content
    assert "Once submitted, this text goes through these steps in order." in content.decode()


def test_the_statement_page_of_a_kind_without_a_chain_has_no_chain(client_for, incident, submitted, people):
    statement = submitted(incident)
    content = client_for(people["viewer"]).get(reverse("crisis:statement-detail", args=[statement.pk])).content
    assert 'id="approval-chain"' not in content.decode()


def _post(signers, **rows):
    data = {"version": rows.pop("version", 0)}
    for n, step in enumerate(rows.get("steps", [])):
        data[f"s{n}-name"] = step["name"]
        data[f"s{n}-approvers"] = step["approvers"]
        data[f"s{n}-deputies"] = step.get("deputies", [])
        data[f"s{n}-limit_minutes"] = step.get("limit_minutes") or ""
    return data


def test_an_admin_sets_a_chain_on_the_page(client_for, org, people, signers):
    client = client_for(people["admin"])
    assert client.get(EDIT_HOLDING).status_code == 200
    response = client.post(EDIT_HOLDING, _post(signers, steps=three_steps(signers, legal=10)))
    assert response.status_code == 302
    chain = ApprovalChain.objects.get(organization=org, kind="holding")
    assert [s["name"] for s in chain.steps] == ["Legal", "PR lead", "Executive"]
    assert chain.steps[0]["limit_minutes"] == 10 and chain.steps[0]["deputies"] == [signers["legal_deputy"].pk]
    listing = client.get(CHAINS).content.decode()
    assert "Legal" in listing and "legal_deputy" in listing and "One approval by any approver" in listing


def test_a_bad_chain_on_the_page_is_a_400_beside_its_row_and_nothing_is_written(client_for, org, people, signers):
    steps = [{"name": "Legal", "approvers": [signers["legal"].pk]}, {"name": "PR", "approvers": [signers["legal"].pk]}]
    response = client_for(people["admin"]).post(EDIT_HOLDING, _post(signers, steps=steps))
    assert response.status_code == 400
    second = response.context["step_forms"][1]
    assert "one person approves one step" in str(second.errors["approvers"])
    assert not ApprovalChain.objects.exists()


def test_a_stale_chain_form_is_refused(client_for, org, people, signers, holding_chain):
    holding_chain()
    response = client_for(people["admin"]).post(EDIT_HOLDING, _post(signers, steps=[], version=0))
    assert response.status_code == 409
    assert len(ApprovalChain.objects.get().steps) == 3


def test_only_an_admin_edits_chains(client_for, people, signers):
    assert client_for(people["commander"]).get(EDIT_HOLDING).status_code == 403
    response = client_for(people["commander"]).post(EDIT_HOLDING, _post(signers, steps=three_steps(signers)))
    assert response.status_code == 403 and not ApprovalChain.objects.exists()
    assert client_for(people["viewer"]).get(CHAINS).status_code == 200


def test_an_unknown_kind_is_not_found(client_for, people):
    assert client_for(people["admin"]).get(reverse("approvals:chain-edit", args=["tweet"])).status_code == 404


def test_the_statement_page_s_step_countdown_ticks_on_the_server_s_clock_in_the_reader_s_units(
        client_for, incident, holding_chain, submitted, signers, people, at):
    """desk.js counts down from data-server-now: without it a moved clock (a drill) showed an overdue step as
    "in 21:14:17" on the browser's clock, and in bare h:mm:ss for want of the units."""
    holding_chain()
    statement = submitted(incident)
    now = at(30)
    content = client_for(people["viewer"]).get(reverse("crisis:statement-detail", args=[statement.pk])).content
    chain = content.decode().split('id="approval-chain"', 1)[1].split("</section>", 1)[0]
    assert f'data-server-now="{now.isoformat()}"' in chain
    assert 'data-unit-min="%(n)d min"' in chain
    assert "is-overdue" in chain


def test_the_statement_page_takes_when_it_was_sent_for_approval_and_the_clock_starts_then(
        client_for, incident, holding_chain, people, at):
    """Sent from a phone at 02:10, entered at 02:40: the Legal step was due at 02:25 and is already late."""
    holding_chain()
    at(40)
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="我们正在核实。")
    client, url = client_for(people["responder"]), reverse("crisis:statement-action", args=[statement.pk, "submit"])
    page = client.get(reverse("crisis:statement-detail", args=[statement.pk])).content.decode()
    assert 'name="submitted_at"' in page
    future = client.post(url, {"submitted_at": "2026-11-25T05:00"})  # 05:00 Shanghai: three hours ahead
    assert future.status_code == 400 and "This time is in the future." in future.content.decode()
    assert not StatementReview.objects.exists()
    assert client.post(url, {"submitted_at": "2026-11-25T02:10"}).status_code == 302  # T0 is 02:00 Shanghai
    (deadline,) = Deadline.objects.filter(incident=incident, kind=DeadlineKind.APPROVAL)
    assert deadline.due_at == T0 + timedelta(minutes=25)
    assert deadline.state == DeadlineState.BREACHED
