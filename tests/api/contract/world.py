"""Real records for the contract run, so that generated requests reach the services rather than stopping at 404."""

from datetime import timedelta

from django.utils import timezone

from crisis.api.models import ApiToken
from crisis.api.tokens import api_token_create, webhook_secret_create
from crisis.commitments.models import Commitment
from crisis.facts.services.facts import fact_add
from crisis.media.services.inquiries import inquiry_log
from crisis.media.services.stakeholders import stakeholder_create
from crisis.models import CHANNEL_CHARACTER_LIMITS, Role
from crisis.oncall.services.pages import page_trigger
from crisis.reports.links import incident_link
from crisis.reports.services import action_item_create, report_request
from crisis.services import statements
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
    fact = fact_add(incident=incident, actor=people["responder"], text="3 vehicles affected")
    # On a statement of its own: suggesting promises for the world's statement would remove this one.
    promising = statement_create(incident=incident, actor=people["responder"], channel="weibo", kind="holding",
                                 body="我们将于今晚公布进展。")
    commitment = Commitment.objects.create(incident=incident, statement=promising, text="我们将于今晚公布进展。",
                                           due_phrase="今晚", due_at=timezone.now() + timedelta(hours=6))
    # Briefings go to whoever carries "press" (cases.WORLD_TAGS): a stakeholder the run cannot edit (its id is in no
    # path), since the run's edits of the other one may take its tags away.
    stakeholder = stakeholder_create(organization=org, actor=admin, name="李娜", kind="journalist",
                                     email="li.na@caixin.example", tags=["press"])
    edited = stakeholder_create(organization=org, actor=admin, name="Tom Reed", kind="journalist",
                                handle="tomreed", tags=["press"])
    inquiry = inquiry_log(incident=incident, actor=admin, channel="phone", asker_name="王芳", question="伤者情况？",
                          asked_at=timezone.now() - timedelta(minutes=5))
    published = statement_create(incident=incident, actor=people["responder"], channel="website", kind="holding",
                                 body="我们已注意到相关情况。")
    statements.statement_submit_for_review(statement=published, actor=people["responder"])
    statements.statement_approve(statement=published, actor=people["approver"])
    statements.statement_publish(statement=published, actor=people["commander"])
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
        "action_item_id": item.pk, "report_file_id": report_file.pk, "fact_id": fact.pk,
        "statement_template_id": org.statement_templates.order_by("id").first().pk, "commitment_id": commitment.pk,
        "stakeholder_id": edited.pk, "inquiry_id": inquiry.pk,
        "related_incident_id": past.pk,
    }
    # People named in a body are the admin: the run may remove any other member (DELETE .../members/<id>/ is one
    # of the operations it walks), and then naming them is rightly a 400; the last admin cannot be removed.
    # A statement named in a body is the published one: a briefing sends only what went out (an answer takes any).
    body_ids = {"commander": admin.pk, "spokesperson": admin.pk, "owner": admin.pk, "organization": org.pk,
                "kept_by_statement": statement.pk, "kept_by_event": event.pk,
                "stakeholder": stakeholder.pk, "statement": published.pk, "related_incident": past.pk}
    return {"ids": ids, "token": token, "body_ids": body_ids,
            "statement_body_max": min(CHANNEL_CHARACTER_LIMITS.values()), "measures": list(MEASURES)}
