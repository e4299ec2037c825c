"""An owned deadline is the clock of a record (a promise, an approval step, a question, an action item): the
golden clock's own actions (extend, waive, mark met) would leave the record open while its clock says done, so
they are refused with where to act instead; the record's own feature moves and settles it."""

from datetime import timedelta

import pytest
from django.urls import reverse

from crisis import clock
from crisis.models import AuditEntry, Deadline, DeadlineKind, TimelineEvent
from crisis.services.deadlines import deadline_extend, deadline_mark_met, deadline_waive
from crisis.services.errors import InvalidTransition
from crisis.services.owned_deadlines import owned_deadline_create

pytestmark = pytest.mark.django_db

RECORD_TYPES = {DeadlineKind.COMMITMENT: "commitment", DeadlineKind.APPROVAL: "approval_step",
                DeadlineKind.INQUIRY: "inquiry", DeadlineKind.ACTION_ITEM: "action_item"}
ACTIONS = {
    "extend": lambda deadline, actor: deadline_extend(deadline=deadline, actor=actor, minutes=30, reason="more time"),
    "waive": lambda deadline, actor: deadline_waive(deadline=deadline, actor=actor, reason="not needed"),
    "met": lambda deadline, actor: deadline_mark_met(deadline=deadline, actor=actor, note="done"),
}


def _owned(incident, kind, owner, *, due_in=30):
    return owned_deadline_create(incident=incident, kind=kind, record_type=RECORD_TYPES[kind], record_id=7,
                                 name="公布调查进展", owner=owner, due_at=clock.now() + timedelta(minutes=due_in))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("kind", RECORD_TYPES)
def test_the_clock_refuses_to_act_on_an_owned_deadline_and_changes_nothing(open_incident, people, kind, action):
    incident = open_incident()
    deadline = _owned(incident, kind, people["responder"])
    before = (Deadline.objects.filter(pk=deadline.pk).values().get(), TimelineEvent.objects.count(),
              AuditEntry.objects.count())
    with pytest.raises(InvalidTransition) as refused:
        ACTIONS[action](deadline, people["commander"])
    assert list(refused.value.fields) == ["kind"]
    assert "itself" in str(refused.value)  # it says where to act instead
    assert (Deadline.objects.filter(pk=deadline.pk).values().get(), TimelineEvent.objects.count(),
            AuditEntry.objects.count()) == before


def test_a_playbook_deadline_is_still_extended(open_incident, people):
    incident = open_incident()
    deadline = incident.deadlines.filter(kind=DeadlineKind.PLAYBOOK).first()
    due = deadline.due_at
    deadline_extend(deadline=deadline, actor=people["commander"], minutes=10, reason="legal review")
    assert Deadline.objects.get(pk=deadline.pk).due_at == due + timedelta(minutes=10)


@pytest.mark.parametrize(("kind", "anchor"), [
    (DeadlineKind.COMMITMENT, "#room-commitments"), (DeadlineKind.APPROVAL, "#room-statements"),
    (DeadlineKind.INQUIRY, "/inquiries/7/"), (DeadlineKind.ACTION_ITEM, "/report/#edit"),
])
def test_the_room_clock_links_an_owned_deadline_to_its_record_instead_of_offering_the_clock_actions(
        client_for, open_incident, people, kind, anchor):
    incident = open_incident()
    deadline = _owned(incident, kind, people["responder"])
    body = client_for(people["commander"]).get(reverse("crisis:incident-room", args=[incident.pk])).content.decode()
    row = body[body.index(f'id="deadline-{deadline.pk}"'):]
    row = row[: row.index("</li>")]
    assert f'{anchor}"' in row
    assert "/extend/" not in row and "/waive/" not in row and "/met/" not in row
    playbook = incident.deadlines.filter(kind=DeadlineKind.PLAYBOOK).first()  # a playbook step keeps its actions
    assert reverse("crisis:deadline-action", args=[playbook.pk, "extend"]) in body
