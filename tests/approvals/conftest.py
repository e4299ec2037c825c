import pytest

from crisis.approvals.services.chains import approval_chain_set
from crisis.models import Role
from crisis.services.statements import statement_create, statement_submit_for_review
from tests.api.conftest import _fresh_throttle_counts, api_as, token_for  # noqa: F401  (the API's clients)
from tests.factories import member

HOLDING = "我们已经注意到网上的视频，正在核实，两小时内公布进展。"


@pytest.fixture
def signers(org):
    """Legal, the PR lead and an executive sign in that order; each has a deputy."""
    names = ("legal", "legal_deputy", "pr_lead", "pr_deputy", "executive", "exec_deputy")
    return {name: member(org, Role.APPROVER, username=name) for name in names}


def three_steps(signers, **limits) -> list[dict]:
    return [
        {"name": "Legal", "approvers": [signers["legal"].pk], "deputies": [signers["legal_deputy"].pk],
         "limit_minutes": limits.get("legal")},
        {"name": "PR lead", "approvers": [signers["pr_lead"].pk], "deputies": [signers["pr_deputy"].pk],
         "limit_minutes": limits.get("pr_lead")},
        {"name": "Executive", "approvers": [signers["executive"].pk], "deputies": [signers["exec_deputy"].pk],
         "limit_minutes": limits.get("executive")},
    ]


@pytest.fixture
def holding_chain(org, people, signers):
    def _set(**limits):
        return approval_chain_set(organization=org, actor=people["admin"], kind="holding",
                                  steps=three_steps(signers, **limits), expected_version=0)
    return _set


@pytest.fixture
def submitted(people):
    """A holding statement written by the responder and submitted for review."""
    def _submit(incident, *, author=None, body=HOLDING, kind="holding", **kw):
        author = author or people["responder"]
        statement = statement_create(incident=incident, actor=author, channel="weibo", kind=kind, body=body)
        return statement_submit_for_review(statement=statement, actor=author, **kw)
    return _submit


@pytest.fixture
def incident(incident_at_t0, people):
    """An SEV2 incident whose first public signal was T0, commanded by people['commander']; the clock at T0+5."""
    return incident_at_t0(commander=people["commander"])
