import pytest

from crisis.comms.services.freeze import comms_freeze_set
from crisis.services import statements


@pytest.fixture
def frozen(org, people):
    """The founder's account and Weibo are on the freeze list (default threshold: SEV2 or worse)."""
    def _freeze(entries=None, threshold=2):
        entries = entries if entries is not None else [
            {"channel": "founder_account", "account": "@Founder", "note": "Founder stays off social media"},
            {"channel": "weibo", "note": "Brand marketing on hold"},
        ]
        return comms_freeze_set(organization=org, actor=people["admin"], severity_threshold=threshold,
                                entries=entries)
    return _freeze


@pytest.fixture
def approved_on(people):
    """An approved statement on ``channel`` in ``incident``, ready to publish."""
    def _approved(incident, channel="weibo", body="我们已关注到相关情况，正在核查。"):
        draft = statements.statement_create(incident=incident, actor=people["responder"], channel=channel,
                                            kind="holding", body=body)
        statements.statement_submit_for_review(statement=draft, actor=people["responder"])
        statements.statement_approve(statement=draft, actor=people["approver"])
        return draft
    return _approved
