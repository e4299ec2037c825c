"""First-hour statement templates: seeded for every organization, filled from the incident, edited by admins."""

from datetime import timedelta

import pytest

from crisis.comms.models import StatementTemplate
from crisis.comms.selectors import templates_for_incident
from crisis.comms.services.templates import (
    statement_template_create,
    statement_template_delete,
    statement_template_fill,
    statement_template_update,
    statement_templates_seed,
)
from crisis.models import AuditEntry
from crisis.services.errors import ConcurrentUpdate, InvalidInput, NotFound, PermissionDenied
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def holding(org, language="en"):
    return StatementTemplate.objects.get(organization=org, kind="holding", language=language, incident_type="")


def test_a_new_organization_has_bilingual_first_hour_templates(org):
    assert set(StatementTemplate.objects.filter(organization=org).values_list("kind", "language")) == {
        (kind, language) for kind in ("holding", "update", "apology") for language in ("en", "zh-hans")}
    for template in StatementTemplate.objects.filter(organization=org):
        assert "{next_update}" in template.body  # every default says when the next update comes


def test_seeding_again_adds_nothing(org):
    assert statement_templates_seed(organization=org) == 0


def test_it_fills_the_holding_statement_from_the_incident(org, incident_at_t0, at):
    incident = incident_at_t0(summary="A phone caught fire on train G1375")
    filled = statement_template_fill(template=holding(org, "zh-hans"), incident=incident)
    # The first public signal at 02:00 in Shanghai; the next public update a SEV2 owes is the holding
    # statement itself, due an hour after the signal.
    assert "A phone caught fire on train G1375" in filled["body"]
    assert "2026年11月25日 02:00" in filled["body"]
    assert "2026年11月25日 03:00前" in filled["body"] and filled["next_update_is_deadline"]
    assert "{" not in filled["body"]


def test_with_no_summary_and_no_pending_update_it_says_the_title_and_an_hour_from_now(
        org, incident_at_t0, at, people):
    incident = incident_at_t0(summary="")
    incident.deadlines.update(state="cancelled")
    now = at(30)
    filled = statement_template_fill(template=holding(org), incident=incident)
    assert incident.title in filled["body"]
    assert filled["next_update_at"] == now + timedelta(hours=1) and not filled["next_update_is_deadline"]
    assert "2026-11-25 03:30" in filled["body"]


def test_a_template_for_the_incidents_type_replaces_the_general_one(org, people, open_incident):
    recall = statement_template_create(organization=org, actor=people["admin"], kind="holding", language="en",
                                       incident_type="recall", body="About the recall of {what}: ...")
    tagged = open_incident(tags=["recall"])
    untagged = open_incident(title="Door will not open")
    assert recall in templates_for_incident(incident=tagged)
    assert holding(org) not in templates_for_incident(incident=tagged)
    assert holding(org) in templates_for_incident(incident=untagged)
    assert recall not in templates_for_incident(incident=untagged)


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "rumour"}, "kind"),
    ({"language": "fr"}, "language"),
    ({"body": " "}, "body"),
    ({"body": "See {whenever}"}, "body"),
    ({"incident_type": "x" * 65}, "incident_type"),
])
def test_it_refuses_bad_input_and_writes_nothing(org, people, fields, field):
    before = StatementTemplate.objects.count()
    values = {"kind": "holding", "language": "en", "body": "We know about {what}.", "incident_type": "safety"}
    values.update(fields)
    with pytest.raises(InvalidInput) as refused:
        statement_template_create(organization=org, actor=people["admin"], **values)
    assert field in refused.value.fields
    assert StatementTemplate.objects.count() == before
    assert not AuditEntry.objects.filter(action__startswith="comms.template").exists()


def test_a_second_template_for_the_same_kind_language_and_type_is_a_conflict(org, people):
    with pytest.raises(ConcurrentUpdate) as refused:
        statement_template_create(organization=org, actor=people["admin"], kind="holding", language="en",
                                  body="Another {what}")
    assert "incident_type" in refused.value.fields
    assert StatementTemplate.objects.filter(organization=org, kind="holding", language="en").count() == 1


def test_only_an_admin_edits_templates(org, people):
    with pytest.raises(PermissionDenied):
        statement_template_update(template=holding(org), actor=people["commander"], body="Changed")
    with pytest.raises(PermissionDenied):
        statement_template_delete(template=holding(org), actor=people["commander"])
    assert StatementTemplate.objects.filter(pk=holding(org).pk, version=1).exists()


def test_an_edit_is_audited_and_bumps_the_version(org, people):
    template = statement_template_update(template=holding(org), actor=people["admin"], body="We know: {what}.",
                                         title="Short holding")
    assert (template.version, template.body, template.title) == (2, "We know: {what}.", "Short holding")
    assert AuditEntry.objects.filter(action="comms.template_update", object_id=str(template.pk)).exists()


def test_it_loses_the_edit_race(org, people):
    stale = holding(org)
    statement_template_update(template=holding(org), actor=people["admin"], body="First edit about {what}.")
    with pytest.raises(ConcurrentUpdate):
        statement_template_update(template=stale, actor=people["admin"], body="Second edit about {what}.")
    assert holding(org).body == "First edit about {what}."


def test_templates_stay_in_their_organization(org, people):
    other = OrganizationFactory()
    assert not set(StatementTemplate.objects.filter(organization=other)) & set(
        StatementTemplate.objects.filter(organization=org))
    with pytest.raises(NotFound):  # another organization's admin is a stranger here
        statement_template_update(template=holding(other), actor=people["admin"], body="Hijack {what}")
    assert holding(other).version == 1


def test_the_fill_works_on_an_incident_with_every_field_at_its_edge(org, incident_at_t0, at):
    incident = incident_at_t0(title="T" * 300, summary="S" * 5000)
    filled = statement_template_fill(template=holding(org), incident=incident)
    assert "S" * 5000 in filled["body"]
