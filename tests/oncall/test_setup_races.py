"""Real concurrency on PostgreSQL: two admins saving the same rotation or policy at once."""

from datetime import date, time

import pytest

from crisis.oncall.models import EscalationLevel, Rotation, RotationMember
from crisis.oncall.services.policies import LevelInput, escalation_policy_update
from crisis.oncall.services.schedules import rotation_update
from crisis.services.errors import ConcurrentUpdate

from .factories import ScheduleFactory, policy_with, rotation_with
from .test_races import ON_POSTGRES, race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serializes every writer, so there is no race to lose"),
    pytest.mark.django_db(transaction=True),
]


def test_it_lets_one_of_two_concurrent_rotation_edits_win_whole(org, people):
    rotation = rotation_with(ScheduleFactory(organization=org), [people["viewer"]])

    def edit(name, user):
        return lambda: rotation_update(rotation=Rotation.objects.get(pk=rotation.pk), actor=people["admin"],
                                       version=1, name=name, starts_on=date(2026, 11, 2), handoff_time=time(9),
                                       length_days=7, position=0, member_ids=[user.pk])

    errors = race(edit("A", people["approver"]), edit("B", people["commander"]))
    assert [type(e) for e in errors] == [ConcurrentUpdate]
    rotation.refresh_from_db()
    winner = {"A": people["approver"].pk, "B": people["commander"].pk}[rotation.name]
    assert list(RotationMember.objects.values_list("user_id", flat=True)) == [winner]
    assert rotation.version == 2


def test_it_lets_one_of_two_concurrent_policy_edits_win_whole(org, people):
    policy = policy_with(org, [{"target_kind": "user", "user": people["viewer"]}], name="Night")

    def edit(name, user):
        return lambda: escalation_policy_update(
            policy=type(policy).objects.get(pk=policy.pk), actor=people["admin"], version=1, name=name,
            severities=[], repeat=0, levels=[LevelInput(target_kind="user", user_id=user.pk, wait_seconds=60)] * 2)

    errors = race(edit("A", people["approver"]), edit("B", people["commander"]))
    assert [type(e) for e in errors] == [ConcurrentUpdate]
    policy.refresh_from_db()
    winner = {"A": people["approver"].pk, "B": people["commander"].pk}[policy.name]
    assert list(EscalationLevel.objects.values_list("user_id", flat=True)) == [winner, winner]
