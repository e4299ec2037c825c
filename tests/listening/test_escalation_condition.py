"""An escalation policy may ask for a minimum sentiment level: used only while the incident is at least there."""

import pytest

from crisis.oncall.models import PageSource, TargetKind
from crisis.oncall.selectors import escalation_policy_for
from crisis.oncall.services.pages import page_open
from tests.oncall.factories import policy_with
from tests.oncall.helpers import recipients

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(org, people):
    return {
        "default": policy_with(org, [{"target_kind": TargetKind.USER, "user": people["responder"]}]),
        "sev2": policy_with(org, [{"target_kind": TargetKind.USER, "user": people["approver"]}], severities=[2]),
        "sev2_high": policy_with(org, [{"target_kind": TargetKind.USER, "user": people["admin"]}], severities=[2],
                                 min_sentiment_level=2),
    }


def test_it_chooses_the_policy_whose_level_condition_holds(org, policies):
    assert escalation_policy_for(organization=org, severity=2) == policies["sev2"]
    assert escalation_policy_for(organization=org, severity=2, sentiment_level=1) == policies["sev2"]
    assert escalation_policy_for(organization=org, severity=2, sentiment_level=3) == policies["sev2_high"]
    assert escalation_policy_for(organization=org, severity=3, sentiment_level=3) == policies["default"]


def test_a_page_goes_to_the_level_policy_while_the_incident_is_at_that_level(org, people, policies, incident_at_t0,
                                                                              record):
    incident = incident_at_t0(severity=2)
    page, _ = page_open(organization=org, incident=incident, source=PageSource.SURGE, dedup_key="calm", title="t")
    assert recipients(page) == [people["approver"].username]
    record(incident, (10, 0.60))
    page, _ = page_open(organization=org, incident=incident, source=PageSource.SURGE, dedup_key="high", title="t")
    assert (page.policy, recipients(page)) == (policies["sev2_high"], [people["admin"].username])


def test_without_a_level_condition_paging_reads_no_checkpoints(org, people, incident_at_t0, record, monkeypatch):
    from crisis.oncall import sentiment_levels

    policy_with(org, [{"target_kind": TargetKind.USER, "user": people["responder"]}])
    incident = incident_at_t0(severity=2)
    record(incident, (10, 0.60))
    monkeypatch.setattr(sentiment_levels, "_provider", [lambda _incident: pytest.fail("read the level")])
    page, _ = page_open(organization=org, incident=incident, source=PageSource.SURGE, dedup_key="x", title="t",
                        severity=2)
    assert page is not None


def test_an_admin_sets_the_level_condition_on_the_policy_page(client_for, people):
    from django.urls import reverse

    from crisis.oncall.models import EscalationPolicy
    from tests.oncall.test_setup_pages import policy_post

    client = client_for(people["admin"])
    response = policy_post(client, reverse("oncall_desk:policy-add"), severities=["1"], min_sentiment_level="2",
                           levels=[("incident_role:commander", 5)])
    assert response.status_code == 302
    policy = EscalationPolicy.objects.get()
    assert policy.min_sentiment_level == 2
    page = client.get(reverse("oncall_desk:policy-edit", args=[policy.pk])).content.decode()
    assert 'value="2" selected' in page


def test_a_level_outside_the_scale_is_refused(org, people):
    from crisis.oncall.services.policies import escalation_policy_create
    from crisis.services.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        escalation_policy_create(organization=org, actor=people["admin"], name="x", severities=[], repeat=0,
                                 levels=[], min_sentiment_level=7)
    assert "min_sentiment_level" in error.value.fields
