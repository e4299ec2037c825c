import pytest

from crisis.models import AuditEntry, Playbook
from crisis.playbooks.golden_four_hours import playbook_install_default
from crisis.services.errors import ConcurrentUpdate, InvalidInput, NotFound, PermissionDenied
from crisis.services.playbooks import playbook_revise, playbook_steps_as_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def playbook(org):
    return playbook_install_default(organization=org)


def revise(playbook, actor, **change):
    steps = playbook_steps_as_data(playbook=playbook)
    steps[2].update(change)
    return playbook_revise(playbook=playbook, actor=actor, steps=steps, expected_version=playbook.version)


def test_it_writes_a_new_version_and_retires_the_old_one(playbook, people):
    revised = revise(playbook, people["admin"], offset_seconds=45 * 60)
    playbook.refresh_from_db()
    assert (revised.version, revised.is_active, playbook.is_active) == (2, True, False)
    assert revised.steps.get(key="holding-statement").offset_seconds == 45 * 60
    assert AuditEntry.objects.filter(action="playbook.revise", object_id=str(revised.pk)).exists()


def test_it_gives_new_incidents_the_new_version_and_leaves_open_ones_alone(playbook, people, open_incident):
    before = open_incident()
    revise(playbook, people["admin"], offset_seconds=45 * 60)
    after = open_incident()
    due = {i: i.deadlines.get(step_key="holding-statement").due_at - i.first_public_signal_at for i in (before, after)}
    assert (due[before].total_seconds(), due[after].total_seconds()) == (3600, 2700)


def test_it_loses_the_race_when_a_colleague_saved_first(playbook, people):
    stale = Playbook.objects.get(pk=playbook.pk)
    revise(playbook, people["admin"], name="Holding statement (legal-checked)")
    with pytest.raises(ConcurrentUpdate):
        revise(stale, people["admin"], name="Holding statement, plain")
    assert Playbook.objects.filter(organization=playbook.organization).count() == 2


def test_it_refuses_an_expected_version_that_is_not_the_current_one(playbook, people):
    with pytest.raises(ConcurrentUpdate):
        playbook_revise(playbook=playbook, actor=people["admin"], steps=playbook_steps_as_data(playbook=playbook),
                        expected_version=playbook.version - 1)


def test_it_names_the_step_and_field_of_a_bad_offset(playbook, people):
    with pytest.raises(InvalidInput) as exc:
        revise(playbook, people["admin"], offset_seconds=-5)
    assert "steps[2].offset_seconds" in exc.value.fields
    assert Playbook.objects.filter(organization=playbook.organization).count() == 1


def test_it_requires_an_until_for_a_repeating_step(playbook, people):
    with pytest.raises(InvalidInput) as exc:
        revise(playbook, people["admin"], recurrence_seconds=600, recur_until="")
    assert "steps[2].recur_until" in exc.value.fields


def test_it_refuses_an_empty_playbook(playbook, people):
    with pytest.raises(InvalidInput):
        playbook_revise(playbook=playbook, actor=people["admin"], steps=[], expected_version=1)


def test_it_lets_only_admins_edit(playbook, people):
    with pytest.raises(PermissionDenied):
        revise(playbook, people["commander"], name="x")


def test_it_hides_another_organizations_playbook(playbook, people):
    with pytest.raises(NotFound):
        revise(playbook, people["outsider"], name="x")
