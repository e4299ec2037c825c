"""On-call setup services: admins only, one transaction, an audit row each, and compare-and-set on edits."""

import zoneinfo
from datetime import UTC, date, datetime, time

import pytest

from crisis.models import AuditEntry
from crisis.oncall.models import EscalationLevel, EscalationPolicy, Override, Rotation, RotationMember, Schedule
from crisis.oncall.services.policies import (
    LevelInput,
    escalation_policy_create,
    escalation_policy_delete,
    escalation_policy_update,
)
from crisis.oncall.services.schedules import (
    override_create,
    override_delete,
    override_update,
    rotation_create,
    rotation_delete,
    rotation_update,
    schedule_create,
    schedule_delete,
    schedule_update,
)
from crisis.services.errors import ConcurrentUpdate, InvalidInput, InvalidTransition, NotFound, PermissionDenied
from tests.factories import OrganizationFactory, member

from .factories import ScheduleFactory, policy_with, rotation_with

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def admin(people):
    return people["admin"]


@pytest.fixture
def schedule(org):
    return ScheduleFactory(organization=org, name="Comms primary", time_zone="Europe/London")


def rotation_fields(**overrides):
    fields = {"name": "Weekly", "starts_on": date(2026, 11, 2), "handoff_time": time(9, 0), "length_days": 7}
    fields.update(overrides)
    return fields


def test_it_creates_a_schedule_with_an_audit_row(org, admin):
    schedule = schedule_create(organization=org, actor=admin, name=" Comms ", time_zone="Asia/Shanghai")
    assert (schedule.name, schedule.time_zone, schedule.version) == ("Comms", "Asia/Shanghai", 1)
    entry = AuditEntry.objects.get(action="schedule.create")
    assert (entry.organization, entry.actor, entry.object_id) == (org, admin, str(schedule.pk))


@pytest.mark.parametrize("role", ["viewer", "responder", "approver", "commander"])
def test_it_refuses_a_schedule_from_anyone_but_an_admin(org, people, role):
    with pytest.raises(PermissionDenied):
        schedule_create(organization=org, actor=people[role], name="Comms", time_zone="Asia/Shanghai")
    assert not Schedule.objects.exists()


def test_it_does_not_confirm_another_organization_exists_to_an_outsider(org, people):
    with pytest.raises(NotFound):
        schedule_create(organization=org, actor=people["outsider"], name="Comms", time_zone="Asia/Shanghai")


def test_it_puts_a_duplicate_name_and_an_unknown_zone_beside_their_fields(org, admin, schedule):
    with pytest.raises(InvalidInput) as duplicate:
        schedule_create(organization=org, actor=admin, name="Comms primary", time_zone="Asia/Shanghai")
    assert "name" in duplicate.value.fields
    with pytest.raises(InvalidInput) as zone:
        schedule_create(organization=org, actor=admin, name="Other", time_zone="Mars/Olympus")
    assert "time_zone" in zone.value.fields
    assert Schedule.objects.count() == 1


def test_it_loses_the_race_to_rename_a_schedule(admin, schedule):
    schedule_update(schedule=schedule, actor=admin, version=1, name="First", time_zone="Europe/London")
    with pytest.raises(ConcurrentUpdate):
        schedule_update(schedule=Schedule.objects.get(pk=schedule.pk), actor=admin, version=1, name="Second",
                        time_zone="Europe/London")
    schedule.refresh_from_db()
    assert (schedule.name, schedule.version) == ("First", 2)
    assert AuditEntry.objects.filter(action="schedule.update").count() == 1


def test_it_refuses_to_delete_a_schedule_a_policy_pages(org, admin, schedule):
    policy_with(org, [{"target_kind": "schedule", "schedule": schedule}], name="Night")
    with pytest.raises(InvalidTransition, match="Night"):
        schedule_delete(schedule=schedule, actor=admin, version=schedule.version)
    assert Schedule.objects.filter(pk=schedule.pk).exists()
    assert not AuditEntry.objects.filter(action="schedule.delete").exists()


def test_it_deletes_an_unused_schedule_with_an_audit_row(admin, schedule):
    schedule_delete(schedule=schedule, actor=admin, version=1)
    assert not Schedule.objects.exists()
    assert AuditEntry.objects.filter(action="schedule.delete", object_id=str(schedule.pk)).exists()


def test_it_creates_a_rotation_with_its_members_in_order(admin, people, schedule):
    order = [people["commander"].pk, people["viewer"].pk, people["responder"].pk]
    rotation = rotation_create(schedule=schedule, actor=admin, member_ids=order, **rotation_fields())
    assert list(rotation.members.order_by("position").values_list("user_id", flat=True)) == order
    assert AuditEntry.objects.get(action="rotation.create").changes["members"] == order


def test_it_refuses_a_rotation_naming_a_stranger_and_writes_nothing(admin, people, schedule):
    with pytest.raises(InvalidInput) as error:
        rotation_create(schedule=schedule, actor=admin, member_ids=[people["viewer"].pk, people["outsider"].pk],
                        **rotation_fields())
    assert "members" in error.value.fields
    assert not Rotation.objects.exists() and not RotationMember.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_refuses_a_rotation_without_a_start_date_beside_the_field(admin, people, schedule):
    with pytest.raises(InvalidInput) as error:
        rotation_create(schedule=schedule, actor=admin, member_ids=[people["viewer"].pk],
                        **rotation_fields(starts_on=None, length_days=0))
    assert {"starts_on", "length_days"} <= set(error.value.fields)
    assert not Rotation.objects.exists()


def test_it_loses_the_race_to_edit_a_rotation(admin, people, schedule):
    rotation = rotation_with(schedule, [people["viewer"]])
    rotation_update(rotation=rotation, actor=admin, version=1, position=0, member_ids=[people["admin"].pk],
                    **rotation_fields(name="Mine"))
    with pytest.raises(ConcurrentUpdate):
        rotation_update(rotation=rotation, actor=admin, version=1, position=0,
                        member_ids=[people["commander"].pk], **rotation_fields(name="Theirs"))
    rotation.refresh_from_db()
    assert rotation.name == "Mine"
    assert list(rotation.members.values_list("user_id", flat=True)) == [people["admin"].pk]


def test_it_refuses_to_remove_a_rotation_someone_just_changed(admin, people, schedule):
    rotation = rotation_with(schedule, [people["viewer"]])
    rotation_update(rotation=rotation, actor=admin, version=1, position=0, member_ids=[people["viewer"].pk],
                    **rotation_fields())
    with pytest.raises(ConcurrentUpdate):
        rotation_delete(rotation=rotation, actor=admin, version=1)
    rotation_delete(rotation=rotation, actor=admin, version=2)
    assert not Rotation.objects.exists()


def test_it_stores_an_override_in_utc(admin, people, schedule):
    # 09:00 in London in summer is 08:00 UTC; in winter it is 09:00 UTC.
    override = override_create(schedule=schedule, actor=admin, user_id=people["viewer"].pk,
                               starts_at=datetime(2027, 7, 1, 9, tzinfo=LONDON),
                               ends_at=datetime(2027, 12, 1, 9, tzinfo=LONDON), reason="Holiday cover")
    override.refresh_from_db()
    assert override.starts_at == datetime(2027, 7, 1, 8, tzinfo=UTC)
    assert override.ends_at == datetime(2027, 12, 1, 9, tzinfo=UTC)
    assert AuditEntry.objects.filter(action="override.create").exists()


def test_it_refuses_an_override_that_ends_before_it_starts(admin, people, schedule):
    with pytest.raises(InvalidInput) as error:
        override_create(schedule=schedule, actor=admin, user_id=people["viewer"].pk,
                        starts_at=datetime(2027, 1, 2, tzinfo=UTC), ends_at=datetime(2027, 1, 1, tzinfo=UTC))
    assert "ends_at" in error.value.fields
    assert not Override.objects.exists()


def test_it_loses_the_race_to_edit_an_override_and_then_to_delete_it(admin, people, schedule):
    window = {"starts_at": datetime(2027, 1, 1, tzinfo=UTC), "ends_at": datetime(2027, 1, 2, tzinfo=UTC)}
    override = override_create(schedule=schedule, actor=admin, user_id=people["viewer"].pk, **window)
    override_update(override=override, actor=admin, version=1, user_id=people["admin"].pk, **window)
    with pytest.raises(ConcurrentUpdate):
        override_update(override=override, actor=admin, version=1, user_id=people["commander"].pk, **window)
    with pytest.raises(ConcurrentUpdate):
        override_delete(override=override, actor=admin, version=1)
    assert Override.objects.get().user == people["admin"]


def test_it_says_not_found_when_the_override_was_removed_meanwhile(admin, people, schedule):
    window = {"starts_at": datetime(2027, 1, 1, tzinfo=UTC), "ends_at": datetime(2027, 1, 2, tzinfo=UTC)}
    override = override_create(schedule=schedule, actor=admin, user_id=people["viewer"].pk, **window)
    override_delete(override=override, actor=admin, version=1)
    with pytest.raises(NotFound):
        override_update(override=override, actor=admin, version=1, user_id=people["viewer"].pk, **window)


def test_it_creates_a_policy_with_its_levels_in_order(org, admin, people, schedule):
    policy = escalation_policy_create(organization=org, actor=admin, name="Night", severities=[2, 1], repeat=1, levels=[
        LevelInput(target_kind="schedule", schedule_id=schedule.pk, wait_seconds=300),
        LevelInput(target_kind="incident_role", incident_role="commander", wait_seconds=600),
        LevelInput(target_kind="user", user_id=people["admin"].pk, wait_seconds=900)])
    levels = list(policy.levels.order_by("position"))
    assert [(lv.target_kind, lv.wait_seconds) for lv in levels] == [
        ("schedule", 300), ("incident_role", 600), ("user", 900)]
    assert policy.severities == [1, 2]
    assert AuditEntry.objects.filter(action="escalation_policy.create").count() == 1


def test_it_refuses_a_level_paging_another_organizations_schedule(org, admin):
    elsewhere = ScheduleFactory(organization=OrganizationFactory())
    with pytest.raises(InvalidInput) as error:
        escalation_policy_create(organization=org, actor=admin, name="Night", severities=[], repeat=0, levels=[
            LevelInput(target_kind="schedule", schedule_id=elsewhere.pk, wait_seconds=300)])
    assert "levels" in error.value.fields
    assert not EscalationPolicy.objects.exists()


def test_it_loses_the_race_to_edit_a_policy_and_keeps_the_winners_levels(org, admin, people):
    policy = policy_with(org, [{"target_kind": "user", "user": people["viewer"]}], name="Night")
    winner = [LevelInput(target_kind="user", user_id=people["admin"].pk, wait_seconds=60)]
    loser = [LevelInput(target_kind="user", user_id=people["commander"].pk, wait_seconds=60)]
    escalation_policy_update(policy=policy, actor=admin, version=1, name="Night", severities=[], repeat=0,
                             levels=winner)
    with pytest.raises(ConcurrentUpdate):
        escalation_policy_update(policy=policy, actor=admin, version=1, name="Night", severities=[], repeat=0,
                                 levels=loser)
    assert list(EscalationLevel.objects.values_list("user_id", flat=True)) == [people["admin"].pk]
    with pytest.raises(ConcurrentUpdate):
        escalation_policy_delete(policy=policy, actor=admin, version=1)
    escalation_policy_delete(policy=policy, actor=admin, version=2)
    assert not EscalationPolicy.objects.exists()


def test_it_refuses_a_policy_from_a_commander(org, people):
    with pytest.raises(PermissionDenied):
        escalation_policy_create(organization=org, actor=people["commander"], name="N", severities=[], repeat=0,
                                 levels=[])


def test_it_refuses_a_member_of_another_organization_in_a_level(org, admin):
    stranger = member(OrganizationFactory())
    with pytest.raises(InvalidInput):
        escalation_policy_create(organization=org, actor=admin, name="N", severities=[], repeat=0,
                                 levels=[LevelInput(target_kind="user", user_id=stranger.pk, wait_seconds=60)])


def test_it_moves_the_version_on_when_the_django_admin_edits_a_schedule(rf, schedule, admin):
    from django.contrib import admin as django_admin

    from crisis.oncall.admin import ScheduleAdmin

    schedule.name = "Edited in the admin"
    ScheduleAdmin(Schedule, django_admin.site).save_model(rf.post("/"), schedule, None, True)
    with pytest.raises(ConcurrentUpdate):  # a desk page opened before the admin's edit
        schedule_update(schedule=schedule, actor=admin, version=1, name="From the desk", time_zone="Europe/London")
    assert Schedule.objects.get().name == "Edited in the admin"
