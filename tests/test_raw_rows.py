"""Hand-written SQL on the API's hot path must load the same instances as the ORM would."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from crisis.api.models import ApiToken, token_digest
from crisis.api.scoping import incident_for_write
from crisis.api.selectors import active_token
from crisis.api.tokens import api_token_create, api_token_revoke
from crisis.models import Incident, Organization, Role
from crisis.raw_rows import columns, instance_from_row, table
from crisis.services.errors import NotFound

pytestmark = pytest.mark.django_db


def _field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def _row(model, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns(model, 'x')} FROM {table(model)} x WHERE x.id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


def test_it_converts_every_field_as_the_orm_does(open_incident, people):
    incident = open_incident(affected_channels=["weibo", "douyin"], tags=["recall"])
    loaded = instance_from_row(Incident, _row(Incident, incident.pk))

    assert _field_values(loaded) == _field_values(Incident.objects.get(pk=incident.pk))
    assert loaded.playbook_snapshot and isinstance(loaded.playbook_snapshot, list)
    assert loaded.first_public_signal_at.tzinfo is not None
    assert loaded._state.adding is False and loaded._state.db == "default"


def test_it_finds_an_active_token_with_its_user(people):
    token, raw = api_token_create(user=people["responder"], name="listening bot", scopes=["read", "write"])
    found = active_token(digest=token_digest(raw))

    assert _field_values(found) == _field_values(ApiToken.objects.get(pk=token.pk))
    assert found.scopes == ["read", "write"]
    assert _field_values(found.user) == _field_values(get_user_model().objects.get(pk=people["responder"].pk))


def test_it_finds_no_revoked_or_unknown_token(people):
    token, raw = api_token_create(user=people["responder"], name="old bot", scopes=["read"])
    api_token_revoke(token=token, actor=people["responder"])

    assert active_token(digest=token_digest(raw)) is None
    assert active_token(digest=token_digest("gh_never_issued")) is None


def test_it_loads_the_incident_for_a_write_with_the_callers_role(open_incident, people):
    incident = open_incident()
    user = get_user_model().objects.get(pk=people["approver"].pk)
    loaded = incident_for_write(user, incident.pk)

    assert _field_values(loaded) == _field_values(Incident.objects.get(pk=incident.pk))
    assert _field_values(loaded.organization) == _field_values(Organization.objects.get(pk=incident.organization_id))
    assert user._golden_hours_roles == {incident.organization_id: Role.APPROVER}


@pytest.mark.parametrize("incident_id", ["outsider", 2**63, -(2**63) - 1, "12"])
def test_it_hides_an_incident_the_caller_cannot_write_to(open_incident, people, incident_id):
    incident = open_incident()
    wanted = incident.pk if incident_id == "outsider" else incident_id

    with pytest.raises(NotFound):
        incident_for_write(people["outsider"], wanted)
