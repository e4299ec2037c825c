"""Another organization's crisis is invisible: every route, every method, answers 404 and writes nothing.

The routes are read from crisis.api.urls, so a new endpoint is covered the day it is added; a route
whose URL takes an id this file cannot fill fails until the foreign fixture learns to make one.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from crisis.api import urls as api_urls
from crisis.api.tokens import api_token_create, webhook_secret_create
from crisis.commitments.models import Commitment
from crisis.comms.services.templates import statement_template_create
from crisis.facts.services.facts import fact_add
from crisis.media.services.inquiries import inquiry_log
from crisis.media.services.stakeholders import stakeholder_create
from crisis.models import AuditEntry, Role, TimelineEvent
from crisis.oncall.services.pages import page_trigger
from crisis.reports.services import action_item_create, report_request
from crisis.services.incidents import incident_open
from crisis.services.invitations import invitation_send
from crisis.services.sentiment import sentiment_checkpoint_record
from crisis.services.statements import statement_create
from crisis.services.timeline import timeline_event_log
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

MARKER = "FOREIGN-7f3a"
METHODS = ("get", "post", "put", "patch", "delete")
# Routes whose id is not an organization's record: the caller's own tokens, and the webhook,
# which authenticates by signature (so a stranger gets 401 before anything is looked up).
NOT_FOUND_UNLESS = {"webhook-sentiment": 401}
# Routes without an id: what a cross-tenant write looks like there.
WRITES_WITHOUT_ID = {
    "incident-list": lambda foreign: {"organization": foreign["organization_id"], "title": "x",
                                      "first_public_signal_at": (timezone.now() - timedelta(minutes=1)).isoformat()},
    "token-list": None,  # a person's own tokens; no organization involved (session-only, see test_auth)
    # Reached by the signed link, not by organization: a caller with another person's link gets 403 without the
    # organization named (tests/api/test_invitations.py); a foreign write needs a link, so nothing to try here.
    "invitation-accept": None,
    "incident-import": lambda foreign: {"format": "golden-hours/incident-import/1",
                                        "organization": foreign["organization_id"],
                                        "incident": {"title": "x", "first_public_signal_at": "2026-01-01T00:00:00Z"}},
}


def _routes():
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern), "nested includes need this test to recurse"
        view = pattern.callback.view_class
        for method in METHODS:
            if hasattr(view, method):
                yield pytest.param(pattern.name, method, sorted(pattern.pattern.converters),
                                   id=f"{method.upper()} {pattern.name}")


@pytest.fixture
def foreign():
    """One of everything, in an organization the caller does not belong to, each carrying MARKER."""
    org = OrganizationFactory(name=MARKER)
    admin = member(org, Role.ADMIN)
    moment = timezone.now() - timedelta(minutes=30)
    incident = incident_open(organization=org, actor=admin, title=MARKER, first_public_signal_at=moment)
    event = timeline_event_log(incident=incident, actor=admin, body=MARKER)
    statement = statement_create(incident=incident, actor=admin, channel="weibo", kind="holding", body=MARKER)
    checkpoint = sentiment_checkpoint_record(incident=incident, actor=admin, measured_at=moment, source=MARKER,
                                             negative_share=0.5)
    secret = webhook_secret_create(organization=org, actor=admin, name=MARKER)
    token, _raw = api_token_create(user=admin, name=MARKER, scopes=["read"])
    page = page_trigger(incident=incident, actor=admin, title=MARKER)
    item = action_item_create(incident=incident, actor=admin, title=MARKER)
    report_file = report_request(incident=incident, actor=admin, format="md")
    invitation = invitation_send(organization=org, actor=admin, role=Role.VIEWER, username=MARKER)
    fact = fact_add(incident=incident, actor=admin, text=MARKER)
    template = statement_template_create(organization=org, actor=admin, kind="holding", language="en",
                                         incident_type=MARKER, body=MARKER)
    commitment = Commitment.objects.create(incident=incident, statement=statement, text=MARKER, due_at=moment)
    stakeholder = stakeholder_create(organization=org, actor=admin, name=MARKER, kind="journalist", handle=MARKER)
    inquiry = inquiry_log(incident=incident, actor=admin, channel="phone", asker_name=MARKER, question=MARKER)
    return {
        "organization_id": org.pk, "organization_slug": org.slug, "incident_id": incident.pk,
        "event_id": event.pk, "statement_id": statement.pk, "checkpoint_id": checkpoint.pk,
        "secret_id": secret.pk, "token_id": token.pk, "deadline_id": incident.deadlines.first().pk,
        "playbook_id": incident.playbook_id, "page_id": page.pk, "membership_id": admin.memberships.get().pk,
        "action_item_id": item.pk, "report_file_id": report_file.pk,
        "invitation_id": invitation.pk, "fact_id": fact.pk, "statement_template_id": template.pk,
        "commitment_id": commitment.pk, "stakeholder_id": stakeholder.pk, "inquiry_id": inquiry.pk,
        "related_incident_id": incident.pk,
        "org": org, "incident": incident,
    }


def _writes(foreign):
    return (AuditEntry.objects.filter(organization=foreign["org"]).count(),
            TimelineEvent.objects.filter(incident=foreign["incident"]).count())


@pytest.mark.parametrize("name, method, kwargs", _routes())
def test_it_hides_other_organizations(name, method, kwargs, foreign, api_as, session_as, people):
    missing = [k for k in kwargs if k not in foreign]
    if missing:
        pytest.fail(f"{name} takes {missing}: teach the foreign fixture to make one, so its scoping is tested")
    caller = people["admin"]
    client = session_as(caller) if name.startswith("token") else api_as(caller)
    if name.startswith("token"):
        client.handler.enforce_csrf_checks = False
    url = reverse(f"api:{name}", kwargs={k: foreign[k] for k in kwargs})
    before = _writes(foreign)

    if kwargs:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == NOT_FOUND_UNLESS.get(name, 404), response.content
    elif method == "get":
        response = client.get(url)
        assert response.status_code == 200
    else:
        if name not in WRITES_WITHOUT_ID:
            pytest.fail(f"{method.upper()} {name}: say in WRITES_WITHOUT_ID what a cross-tenant write is here")
        body = WRITES_WITHOUT_ID[name]
        if body is None:
            return
        response = getattr(client, method)(url, body(foreign), format="json")
        assert response.status_code == 404, response.content

    assert MARKER not in response.content.decode()
    assert _writes(foreign) == before


def test_it_lists_only_the_callers_incidents(foreign, api_as, open_incident, people):
    mine = open_incident()
    response = api_as(people["viewer"]).get("/api/v1/incidents/")

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_it_lists_only_the_callers_organizations(foreign, api_as, org, people):
    response = api_as(people["viewer"]).get("/api/v1/organizations/")

    assert response.json()["results"] == [
        {"id": org.pk, "name": org.name, "slug": org.slug, "time_zone": org.time_zone, "my_role": "viewer",
         "created_at": response.json()["results"][0]["created_at"]}
    ]


def test_it_hides_an_incident_even_from_its_organizations_former_member(foreign, api_as):
    from crisis.models import Membership

    admin = Membership.objects.get(organization=foreign["org"]).user
    client = api_as(admin)
    Membership.objects.filter(user=admin).delete()
    response = client.get(f"/api/v1/incidents/{foreign['incident_id']}/")

    assert response.status_code == 404
