"""/api/v1/: chains per organization, what waits for me, how far a statement has come."""

from datetime import timedelta

import pytest

from crisis.approvals.models import ApprovalChain
from crisis.models import AuditEntry
from crisis.services.statements import statement_approve
from tests.deadline_helpers import T0

from .conftest import three_steps

pytestmark = pytest.mark.django_db


def chains_url(org):
    return f"/api/v1/organizations/{org.pk}/approval-chains/"


def test_it_lists_one_chain_per_kind(api_as, org, people, holding_chain, signers):
    holding_chain()
    response = api_as(people["viewer"]).get(chains_url(org))
    assert response.status_code == 200
    by_kind = {row["kind"]: row for row in response.json()}
    assert by_kind["apology"] == {"kind": "apology", "steps": [], "version": 0}
    legal = by_kind["holding"]["steps"][0]
    assert legal["name"] == "Legal" and legal["approvers"][0]["username"] == "legal"
    assert legal["deputies"][0]["id"] == signers["legal_deputy"].pk and legal["limit_minutes"] is None


def test_an_admin_sets_a_chain_with_the_version_they_edited(api_as, org, people, signers):
    client = api_as(people["admin"])
    body = {"kind": "holding", "steps": three_steps(signers, legal=10), "version": 0}
    response = client.put(chains_url(org), body, format="json")
    assert response.status_code == 200, response.json()
    holding = next(row for row in response.json() if row["kind"] == "holding")
    assert holding["version"] == 1 and holding["steps"][0]["limit_minutes"] == 10
    stale = client.put(chains_url(org), {**body, "steps": []}, format="json")
    assert stale.status_code == 409 and "version" in stale.json()["error"]["fields"]


@pytest.mark.parametrize("body, field", [
    ({"kind": "holding", "steps": [{"name": "Legal", "approvers": []}], "version": 0}, "steps"),
    ({"kind": "holding", "steps": [{"name": "Legal", "approvers": [999999]}], "version": 0}, "steps.0.approvers"),
    ({"kind": "tweet", "steps": [], "version": 0}, "kind"),
    ({"kind": "holding", "steps": [], "version": "0"}, "version"),
    ({"kind": "holding", "steps": [{"name": "Legal", "approvers": [1], "limit_minutes": 0}], "version": 0},
     "steps"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(api_as, org, people, body, field):
    response = api_as(people["admin"]).put(chains_url(org), body, format="json")
    assert response.status_code == 400
    assert any(name.startswith(field) for name in response.json()["error"]["fields"]), response.json()
    assert not ApprovalChain.objects.exists()
    assert not AuditEntry.objects.filter(action="approval_chain.set").exists()


def test_a_commander_cannot_set_a_chain(api_as, org, people, signers):
    response = api_as(people["commander"]).put(
        chains_url(org), {"kind": "holding", "steps": three_steps(signers), "version": 0}, format="json")
    assert response.status_code == 403
    assert not ApprovalChain.objects.exists()


def test_it_lists_what_waits_for_me(api_as, incident, holding_chain, submitted, signers, people, at):
    holding_chain()
    statement = submitted(incident)
    submitted(incident, kind="apology", body="对不起。")
    at(9)
    legal = api_as(signers["legal"]).get("/api/v1/me/approvals/").json()
    assert [row["kind"] for row in legal] == ["holding", "apology"]
    mine = legal[0]
    assert mine["statement"] == statement.pk and mine["step"] == {"position": 1, "name": "Legal", "count": 3}
    assert mine["limit_minutes"] == 15 and mine["is_overdue"] is False
    assert mine["due_at"].startswith((T0 + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"))
    assert mine["submitted_by"]["id"] == people["responder"].pk
    assert legal[1]["step"] is None and legal[1]["due_at"] is None
    pr_lead = api_as(signers["pr_lead"]).get("/api/v1/me/approvals/").json()
    assert [row["kind"] for row in pr_lead] == ["apology"]  # the holding statement is not at their step yet
    statement_approve(statement=statement, actor=signers["legal"])
    assert [row["kind"] for row in api_as(signers["pr_lead"]).get("/api/v1/me/approvals/").json()] == [
        "apology", "holding"]
    assert [row["kind"] for row in api_as(signers["legal"]).get("/api/v1/me/approvals/").json()] == ["apology"]


def test_it_shows_a_statement_s_chain(api_as, incident, holding_chain, submitted, signers, people, at):
    holding_chain()
    statement = submitted(incident)
    at(8)
    statement_approve(statement=statement, actor=signers["legal_deputy"])
    body = api_as(people["viewer"]).get(f"/api/v1/statements/{statement.pk}/approval-chain/").json()
    assert (body["state"], body["status"]) == ("active", "in_review")
    legal, pr_lead, _executive = body["steps"]
    assert legal["approved_by"] == "legal_deputy" and legal["is_waiting"] is False
    assert pr_lead["is_waiting"] is True and pr_lead["approvers"] == ["pr_lead"]
    assert pr_lead["started_at"].startswith((T0 + timedelta(minutes=8)).strftime("%Y-%m-%dT%H:%M"))


def test_a_kind_without_a_chain_says_so(api_as, incident, submitted, people):
    statement = submitted(incident)
    body = api_as(people["viewer"]).get(f"/api/v1/statements/{statement.pk}/approval-chain/").json()
    assert (body["state"], body["steps"]) == ("none", [])


def test_submit_takes_the_time_it_was_really_submitted(api_as, incident, holding_chain, people, at):
    holding_chain()
    client = api_as(people["responder"])
    at(40)
    created = client.post(f"/api/v1/incidents/{incident.pk}/statements/",
                          {"channel": "weibo", "kind": "holding", "body": "我们正在核实。"}, format="json").json()
    response = client.post(f"/api/v1/statements/{created['id']}/submit/",
                           {"submitted_at": (T0 + timedelta(minutes=30)).isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    chain = client.get(f"/api/v1/statements/{created['id']}/approval-chain/").json()
    assert chain["steps"][0]["due_at"].startswith((T0 + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"))
