"""Each action against each role: below the action's role is 403 and writes nothing; at or above it works."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.models import AuditEntry, DeadlineState, Role, role_at_least
from crisis.oncall.services.pages import page_trigger
from crisis.reports.services import action_item_create
from crisis.services.invitations import invitation_send
from crisis.services.playbooks import playbook_steps_as_data
from crisis.services.statements import (
    statement_approve,
    statement_create,
    statement_publish,
    statement_submit_for_review,
)
from crisis.services.timeline import timeline_event_log
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _ago(minutes=2):
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def _statement(incident, people, *, until=None):
    statement = statement_create(incident=incident, actor=None, channel="weibo", kind="holding", body="我们正在核实。")
    steps = [
        lambda: statement_submit_for_review(statement=statement, actor=None),
        lambda: statement_approve(statement=statement, actor=people["approver"]),
        lambda: statement_publish(statement=statement, actor=None),
    ]
    for step in steps[: {None: 0, "in_review": 1, "approved": 2, "published": 3}[until]]:
        step()
    return statement


def _page(incident, people):
    return page_trigger(incident=incident, actor=people["commander"], title="Need the legal approver")


def _invitation(organization, people):
    return invitation_send(organization=organization, actor=people["admin"], role=Role.VIEWER, username="invitee")


def _step(incident, key):
    return incident.deadlines.get(step_key=key, occurrence=0)


def _pending_deadline(incident):
    return incident.deadlines.filter(state=DeadlineState.PENDING).order_by("due_at").first()


# (action, minimum role, request builder taking (incident, org, people) -> (method, url, body))
ACTIONS = [
    ("read incident", Role.VIEWER, lambda i, o, p: ("get", f"/api/v1/incidents/{i.pk}/", None)),
    ("read timeline", Role.VIEWER, lambda i, o, p: ("get", f"/api/v1/incidents/{i.pk}/events/", None)),
    ("read members", Role.VIEWER, lambda i, o, p: ("get", f"/api/v1/organizations/{o.pk}/members/", None)),
    ("open incident", Role.RESPONDER, lambda i, o, p: (
        "post", "/api/v1/incidents/", {"organization": o.pk, "title": "t", "first_public_signal_at": _ago()})),
    ("edit incident", Role.COMMANDER, lambda i, o, p: (
        "patch", f"/api/v1/incidents/{i.pk}/", {"title": "Renamed", "version": i.version})),
    ("escalate to active", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/transition/", {"status": "active"})),
    ("declare contained", Role.COMMANDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/transition/", {"status": "contained"})),
    ("acknowledge", Role.RESPONDER, lambda i, o, p: ("post", f"/api/v1/incidents/{i.pk}/acknowledge/", {})),
    ("acknowledge after the fact", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/acknowledge/", {"acknowledged_at": _ago(1), "note": "On the phone"})),
    ("log an acknowledgement", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/events/", {"kind": "acknowledgement", "body": "x", "occurred_at": _ago(1)})),
    ("read passed occurrences", Role.VIEWER, lambda i, o, p: (
        "get", f"/api/v1/incidents/{i.pk}/passed-occurrences/", None)),
    ("tick off a manual step", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/deadlines/{_step(i, 'follow-up-report').pk}/mark-met/",
        {"note": "Sent", "happened_at": _ago(1)})),
    ("tick off an automatic step", Role.COMMANDER, lambda i, o, p: (
        "post", f"/api/v1/deadlines/{_step(i, 'holding-statement').pk}/mark-met/",
        {"note": "Posted from a phone", "happened_at": _ago(1)})),
    ("change severity", Role.COMMANDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/severity/", {"severity": 1})),
    ("log event", Role.RESPONDER, lambda i, o, p: ("post", f"/api/v1/incidents/{i.pk}/events/", {"body": "x"})),
    ("correct event", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/events/{timeline_event_log(incident=i, actor=None, body='a').pk}/correct/", {"body": "b"})),
    ("pin event", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/events/{timeline_event_log(incident=i, actor=None, body='a').pk}/pin/", {})),
    ("draft statement", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/statements/", {"channel": "weibo", "kind": "holding", "body": "x"})),
    ("revise statement", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/statements/{_statement(i, p).pk}/versions/", {"body": "v2"})),
    ("submit statement", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/statements/{_statement(i, p).pk}/submit/", {})),
    ("approve statement", Role.APPROVER, lambda i, o, p: (
        "post", f"/api/v1/statements/{_statement(i, p, until='in_review').pk}/approve/", {})),
    ("publish statement", Role.COMMANDER, lambda i, o, p: (
        "post", f"/api/v1/statements/{_statement(i, p, until='approved').pk}/publish/", {})),
    ("retract statement", Role.COMMANDER, lambda i, o, p: (
        "post", f"/api/v1/statements/{_statement(i, p, until='published').pk}/retract/", {"reason": "wrong"})),
    ("record sentiment", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/checkpoints/",
        {"measured_at": _ago(), "source": "Weibo", "negative_share": 0.4})),
    ("bulk ingest", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/checkpoints/bulk/",
        {"points": [{"measured_at": _ago(), "source": "Weibo", "negative_share": 0.4}]})),
    ("extend deadline", Role.COMMANDER, lambda i, o, p: (
        "post", f"/api/v1/deadlines/{_pending_deadline(i).pk}/extend/", {"minutes": 15, "reason": "r"})),
    ("waive deadline", Role.COMMANDER, lambda i, o, p: (
        "post", f"/api/v1/deadlines/{_pending_deadline(i).pk}/waive/", {"reason": "r"})),
    ("read the report", Role.VIEWER, lambda i, o, p: ("get", f"/api/v1/incidents/{i.pk}/report/", None)),
    ("read analytics", Role.VIEWER, lambda i, o, p: ("get", f"/api/v1/organizations/{o.pk}/analytics/", None)),
    ("write the post-mortem", Role.RESPONDER, lambda i, o, p: (
        "patch", f"/api/v1/incidents/{i.pk}/postmortem/", {"version": 0, "went_badly": "Legal review"})),
    ("add an action item", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/action-items/", {"title": "Drill"})),
    ("close an action item", Role.RESPONDER, lambda i, o, p: (
        "patch", f"/api/v1/action-items/{action_item_create(incident=i, actor=p['admin'], title='t').pk}/",
        {"version": 1, "status": "done"})),
    ("generate a report file", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/incidents/{i.pk}/report-files/", {"format": "json"})),
    ("revise playbook", Role.ADMIN, lambda i, o, p: (
        "post", f"/api/v1/playbooks/{i.playbook_id}/revise/",
        {"version": i.playbook.version, "steps": playbook_steps_as_data(playbook=i.playbook)})),
    # A page nobody in the table was sent to; the paged person's own right is in tests/oncall/test_page_roles.py.
    ("acknowledge page", Role.RESPONDER, lambda i, o, p: (
        "post", f"/api/v1/pages/{_page(i, p).pk}/acknowledge/", {})),
    ("resolve page", Role.RESPONDER, lambda i, o, p: ("post", f"/api/v1/pages/{_page(i, p).pk}/resolve/", {})),
    ("manage webhook secrets", Role.ADMIN, lambda i, o, p: (
        "post", f"/api/v1/organizations/{o.pk}/webhook-secrets/", {"name": "tool"})),
    ("read member", Role.VIEWER, lambda i, o, p: ("get", f"/api/v1/members/{p['admin'].memberships.get().pk}/", None)),
    ("add member", Role.ADMIN, lambda i, o, p: (
        "post", f"/api/v1/organizations/{o.pk}/members/", {"username": UserFactory().username, "role": "viewer"})),
    ("list invitations", Role.ADMIN, lambda i, o, p: ("get", f"/api/v1/organizations/{o.pk}/invitations/", None)),
    ("revoke invitation", Role.ADMIN, lambda i, o, p: (
        "delete", f"/api/v1/invitations/{_invitation(o, p).pk}/", None)),
    ("change member role", Role.ADMIN, lambda i, o, p: (
        "patch", f"/api/v1/members/{MembershipFactory(organization=o, role=Role.VIEWER).pk}/",
        {"role": "responder", "version": 1})),
    ("remove member", Role.ADMIN, lambda i, o, p: (
        "delete", f"/api/v1/members/{MembershipFactory(organization=o, role=Role.VIEWER).pk}/", None)),
]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
@pytest.mark.parametrize("action, minimum, build", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_it_gates_each_action_by_role(action, minimum, build, role, api_as, open_incident, org, people):
    incident = open_incident(status="monitoring")
    method, url, body = build(incident, org, people)
    client = api_as(people[role.value])
    audits = AuditEntry.objects.count()
    response = getattr(client, method)(url, body, format="json")

    if role_at_least(role, minimum):
        assert 200 <= response.status_code < 300, (action, role, response.content)
    else:
        assert response.status_code == 403, (action, role, response.content)
        assert response.json()["error"]["code"] == "forbidden"
        assert AuditEntry.objects.count() == audits
