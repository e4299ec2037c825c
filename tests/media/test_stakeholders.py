"""The stakeholder list: people the desk answers and briefs, edited with compare-and-set."""

import pytest

from crisis.media.models import Stakeholder
from crisis.media.services.stakeholders import DuplicateStakeholder, stakeholder_create, stakeholder_update
from crisis.models import AuditEntry
from crisis.services.errors import ConcurrentUpdate, InvalidInput, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


def test_it_adds_a_stakeholder_with_tags_trimmed_once(org, people):
    person = stakeholder_create(organization=org, actor=people["responder"], name=" 李娜 ", kind="journalist",
                                email="Li.Na@Caixin.example", tags=["press", " press ", "财经"])
    assert (person.name, person.tags, person.version) == ("李娜", ["press", "财经"], 1)
    assert person.natural_key == "email:li.na@caixin.example"
    assert AuditEntry.objects.filter(action="stakeholder.create", object_id=str(person.pk)).exists()


def test_it_refuses_bad_input_naming_every_field_and_writes_nothing(org, people):
    with pytest.raises(InvalidInput) as refused:
        stakeholder_create(organization=org, actor=people["responder"], name="", kind="blogger",
                           channel="fax", email="not-an-address", tags=["x" * 51])
    assert set(refused.value.fields) == {"name", "kind", "channel", "email", "tags"}
    assert not Stakeholder.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="stakeholder").exists()


def test_it_refuses_a_second_entry_with_the_same_email(org, people, journalist):
    with pytest.raises(DuplicateStakeholder) as refused:
        stakeholder_create(organization=org, actor=people["responder"], name="Li Na", kind="journalist",
                           email="LI.NA@caixin.example")
    assert "email" in refused.value.fields
    assert Stakeholder.objects.count() == 1


def test_a_viewer_cannot_add_and_an_outsider_is_not_told_the_organization_exists(org, people):
    with pytest.raises(PermissionDenied):
        stakeholder_create(organization=org, actor=people["viewer"], name="x", kind="kol", handle="@x")
    with pytest.raises(NotFound):
        stakeholder_create(organization=org, actor=people["outsider"], name="x", kind="kol", handle="@x")


def test_it_edits_on_the_version_read(org, people, journalist):
    edited = stakeholder_update(stakeholder=journalist, actor=people["responder"], expected_version=1,
                                outlet="财新周刊", tags=["press"])
    fresh = Stakeholder.objects.get(pk=journalist.pk)
    assert (fresh.outlet, fresh.tags, fresh.version) == ("财新周刊", ["press"], 2) == (
        edited.outlet, edited.tags, edited.version)
    entry = AuditEntry.objects.get(action="stakeholder.update")
    assert entry.changes["outlet"] == {"from": "财新", "to": "财新周刊"}


def test_an_edit_that_lost_the_race_changes_nothing(org, people, journalist):
    stale = Stakeholder.objects.get(pk=journalist.pk)
    stakeholder_update(stakeholder=journalist, actor=people["admin"], expected_version=1, notes="prefers WeChat")
    with pytest.raises(ConcurrentUpdate):
        stakeholder_update(stakeholder=stale, actor=people["responder"], expected_version=1, outlet="Other")
    fresh = Stakeholder.objects.get(pk=journalist.pk)
    assert (fresh.outlet, fresh.notes, fresh.version) == ("财新", "prefers WeChat", 2)


def test_a_bad_edit_writes_nothing(org, people, journalist):
    with pytest.raises(InvalidInput) as refused:
        stakeholder_update(stakeholder=journalist, actor=people["responder"], expected_version=1, kind="spy")
    assert list(refused.value.fields) == ["kind"]
    assert Stakeholder.objects.get(pk=journalist.pk).version == 1
