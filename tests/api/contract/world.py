"""Real records for the contract run, so that generated requests reach the services rather than stopping at 404."""

from datetime import timedelta

from django.utils import timezone

from crisis.api.models import ApiToken
from crisis.api.tokens import api_token_create, webhook_secret_create
from crisis.models import CHANNEL_CHARACTER_LIMITS, Role
from crisis.oncall.services.pages import page_trigger
from crisis.reports.links import incident_link
from crisis.reports.services import action_item_create, report_request
from crisis.services.incidents import incident_open
from crisis.services.sentiment import MEASURES, sentiment_checkpoint_record
from crisis.services.statements import statement_create
from crisis.services.timeline import timeline_event_log
from tests.factories import OrganizationFactory, member


def world_build() -> dict:
    """One organization with a member per role, an incident with one record of each kind, and the admin's token.

    Returns what the run needs to aim its requests: the ids of every path parameter, the token, and the ids a
    body may name (people must be members: a drawn id never is, and the answer would be a 400 naming the field).
    """
    org = OrganizationFactory()
    people = {role.value: member(org, role) for role in Role}
    admin = people["admin"]
    incident = incident_open(organization=org, actor=people["responder"], title="Phone smoking on a train",
                             first_public_signal_at=timezone.now() - timedelta(minutes=10), severity=2)
    event = timeline_event_log(incident=incident, actor=admin, body="Seen on Weibo")
    statement = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="我们正在核实。")
    checkpoint = sentiment_checkpoint_record(incident=incident, actor=admin, source="Weibo", negative_share=0.5,
                                             measured_at=timezone.now() - timedelta(minutes=5))
    secret = webhook_secret_create(organization=org, actor=admin, name="tool")
    page = page_trigger(incident=incident, actor=admin, title="Call the desk")
    item = action_item_create(incident=incident, actor=admin, title="Pre-approve holding statements")
    report_file = report_request(incident=incident, actor=admin, format="md")
    token = api_token_create(user=admin, name="contract", scopes=["read", "write"])[1]
    past = incident_open(organization=org, actor=people["responder"], title="The battery fire of March",
                         first_public_signal_at=timezone.now() - timedelta(days=200), severity=2)
    incident_link(incident=incident, other=past, actor=admin)
    ids = {
        "organization_id": org.pk, "organization_slug": org.slug, "incident_id": incident.pk,
        "event_id": event.pk, "statement_id": statement.pk, "checkpoint_id": checkpoint.pk, "secret_id": secret.pk,
        "deadline_id": incident.deadlines.first().pk, "playbook_id": incident.playbook_id, "page_id": page.pk,
        "membership_id": admin.memberships.get(organization=org).pk,
        "token_id": ApiToken.objects.get(user=admin).pk,
        "action_item_id": item.pk, "report_file_id": report_file.pk, "related_incident_id": past.pk,
    }
    # People named in a body are the admin: the run may remove any other member (DELETE .../members/<id>/ is one
    # of the operations it walks), and then naming them is rightly a 400; the last admin cannot be removed.
    body_ids = {"commander": admin.pk, "spokesperson": admin.pk, "owner": admin.pk, "organization": org.pk,
                "related_incident": past.pk}
    return {"ids": ids, "token": token, "body_ids": body_ids,
            "statement_body_max": min(CHANNEL_CHARACTER_LIMITS.values()), "measures": list(MEASURES)}
