"""List endpoints cost a fixed number of queries however much data there is."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisis.api.tokens import webhook_secret_create, webhook_secret_revoke
from crisis.models import Breach, Deadline, DeadlineState, PassedOccurrences, Playbook, PlaybookStep, Role
from crisis.services.incidents import incident_open
from crisis.services.invitations import invitation_send
from crisis.services.sentiment import sentiment_checkpoints_ingest
from crisis.services.statements import (
    statement_approve,
    statement_create,
    statement_revise,
    statement_submit_for_review,
)
from crisis.services.timeline import timeline_event_correct, timeline_event_log
from tests.factories import MembershipFactory, OrganizationFactory, member

pytestmark = pytest.mark.django_db


def _grow(org, incident, people, n):
    """Add ``n`` of everything the lists show, with the relations that tempt N+1 queries."""
    moment = timezone.now() - timedelta(minutes=5)
    for i in range(n):
        event = timeline_event_log(incident=incident, actor=people["responder"], body=f"event {i}")
        timeline_event_correct(event=event, actor=people["commander"], body=f"corrected {i}")
        statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="update",
                                     body=f"text {i}")
        statement_revise(statement=statement, actor=people["commander"], body=f"text {i} v2")
        statement_submit_for_review(statement=statement, actor=people["responder"])
        statement_approve(statement=statement, actor=people["approver"])
        incident_open(organization=org, actor=people["responder"], title=f"incident {i}",
                      first_public_signal_at=moment, commander=people["commander"])
        member(org, Role.VIEWER)
        other = OrganizationFactory()
        member(other, Role.ADMIN)
        MembershipFactory(user=people["admin"], organization=other, role=Role.VIEWER)
        secret = webhook_secret_create(organization=org, actor=people["admin"], name=f"tool {i}")
        webhook_secret_revoke(secret=secret, actor=people["admin"])
        invitation_send(organization=org, actor=people["admin"], role=Role.VIEWER, email=f"invitee-{n}-{i}@example.com")
        playbook = Playbook.objects.create(organization=org, key=f"custom-{n}-{i}", name=f"Custom {i}")
        PlaybookStep.objects.create(playbook=playbook, key="ack", name="Acknowledge", satisfied_by="acknowledged",
                                    offset_seconds=900)
    sentiment_checkpoints_ingest(incident=incident, actor=people["responder"], points=[
        {"measured_at": moment, "source": "Weibo", "negative_share": 0.5} for _ in range(n)
    ])
    _grow_verdicts(incident, people, n, moment)


def _grow_verdicts(incident, people, n, moment):
    """Rows written directly, as the engine leaves them: deadlines whose breach a late fact retracted, and
    occurrences of repeating steps that went by unrecorded."""
    for i in range(n):
        key = f"manual-{n}-{i}"
        deadline = Deadline.objects.create(
            incident=incident, step_key=key, name=key, due_at=moment, state=DeadlineState.MET, met_at=moment,
            met_recorded_at=moment + timedelta(minutes=3), breached_at=moment + timedelta(minutes=1),
        )
        Breach.objects.create(deadline=deadline, deadline_version=1, incident=incident, breached_at=moment,
                              retracted_at=moment + timedelta(minutes=3), retracted_by=people["commander"],
                              retraction_reason="Met in time after all")
        for step_key in ("sentiment-cadence", "public-update"):
            PassedOccurrences.objects.create(
                incident=incident, step_key=step_key, name=step_key, first_occurrence=1000 * n + i, count=3,
                first_due_at=moment - timedelta(hours=i + 1), recurrence_seconds=1800, recorded_at=moment,
            )


LISTS = [
    "/api/v1/organizations/",
    "/api/v1/organizations/{org}/members/",
    "/api/v1/organizations/{org}/playbooks/",
    "/api/v1/incidents/",
    "/api/v1/incidents/{incident}/events/",
    "/api/v1/incidents/{incident}/statements/",
    "/api/v1/statements/{statement}/versions/",
    "/api/v1/incidents/{incident}/checkpoints/",
    "/api/v1/incidents/{incident}/deadlines/",
    "/api/v1/incidents/{incident}/passed-occurrences/",
    "/api/v1/organizations/{org}/webhook-secrets/",
    "/api/v1/organizations/{org}/invitations/",
]


@pytest.mark.parametrize("template", LISTS)
def test_it_lists_with_a_constant_number_of_queries(template, api_as, org, people, open_incident,
                                                    django_assert_max_num_queries):
    incident = open_incident()
    client = api_as(people["admin"])
    _grow(org, incident, people, 2)
    statement = incident.statements.first()
    url = template.format(org=org.pk, incident=incident.pk, statement=statement.pk)
    client.get(url)  # warm the per-process caches (content types, token last-used)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200

    _grow(org, incident, people, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 2
