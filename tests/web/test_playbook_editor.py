import pytest
from django.urls import reverse

from crisis.models import Playbook
from crisis.playbooks.golden_four_hours import playbook_install_default
from crisis.services.playbooks import playbook_steps_as_data
from crisis.web.playbook_forms import step_initial

pytestmark = pytest.mark.django_db


@pytest.fixture
def playbook(org):
    return playbook_install_default(organization=org)


def formset_post(playbook, *, version=None, edit=None, extra=None):
    steps = [step_initial(step) for step in playbook_steps_as_data(playbook=playbook)]
    if edit:
        steps[edit[0]].update(edit[1])
    rows = steps + [extra or {}]
    data = {"version": version or playbook.version, "form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(steps),
            "form-MIN_NUM_FORMS": 0, "form-MAX_NUM_FORMS": 1000}
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value is not None:
                data[f"form-{index}-{key}"] = value
    return data


def test_it_saves_an_edited_offset_as_a_new_version(client_for, people, playbook):
    url = reverse("crisis:playbook-edit", args=[playbook.pk])
    response = client_for(people["admin"]).post(url, formset_post(playbook, edit=(2, {"offset_minutes": 45})))
    assert response.status_code == 302
    active = Playbook.objects.get(organization=playbook.organization, is_active=True)
    assert active.steps.get(key="holding-statement").offset_seconds == 45 * 60


def test_it_adds_a_manual_step_from_the_last_row(client_for, people, playbook):
    url = reverse("crisis:playbook-edit", args=[playbook.pk])
    extra = {"name": "Brief the regulator", "offset_minutes": 180, "responsible_role": "commander",
             "warn_before_minutes": 15, "satisfied_by": "manual"}
    client_for(people["admin"]).post(url, formset_post(playbook, extra=extra))
    active = Playbook.objects.get(organization=playbook.organization, is_active=True)
    assert active.steps.get(key="brief-the-regulator").satisfied_by == "manual"


def test_it_answers_409_when_the_playbook_changed_meanwhile(client_for, people, playbook):
    url = reverse("crisis:playbook-edit", args=[playbook.pk])
    client = client_for(people["admin"])
    stale = formset_post(playbook, edit=(0, {"name": "Acknowledge now"}))
    client.post(url, formset_post(playbook, edit=(1, {"offset_minutes": 20})))
    response = client.post(url, stale)
    assert response.status_code == 409


def test_it_does_not_offer_the_editor_to_a_commander(client_for, people, playbook):
    response = client_for(people["commander"]).get(reverse("crisis:playbook-edit", args=[playbook.pk]))
    assert response.status_code == 403
    assert Playbook.objects.count() == 1


def test_it_hides_another_organizations_playbook(client_for, people, playbook):
    response = client_for(people["outsider"]).get(reverse("crisis:playbook-edit", args=[playbook.pk]))
    assert response.status_code == 404
