"""Setting up who is on call from the desk: schedules, their rotations and overrides.

Organization admins only. Each change is one transaction with an audit row; edits and removals are
compare-and-set on the row's version, so of two admins editing at once the second is told, not overwritten.
Times arrive aware (the forms read wall times in the schedule's zone) and are stored in UTC.
"""

from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crisis.models import Organization
from crisis.services.audit import audit_record
from crisis.services.errors import InvalidInput, InvalidTransition
from crisis.services.validation import moment_in_utc

from ..models import EscalationLevel, Override, Rotation, RotationMember, Schedule
from .setup_common import (
    admin_require,
    members_require,
    model_check,
    saved_or_invalid,
    version_bump,
    version_delete,
)

NAME_TAKEN = gettext_lazy("A schedule with this name already exists.")


def _name_free(*, organization: Organization, name: str, pk: int | None = None) -> None:
    if Schedule.objects.filter(organization=organization, name=name).exclude(pk=pk).exists():
        raise InvalidInput(str(NAME_TAKEN), field="name")


def _plain(value):
    return value.isoformat() if isinstance(value, date | time | datetime) else value


@transaction.atomic
def schedule_create(*, organization: Organization, actor, name: str, time_zone: str) -> Schedule:
    admin_require(actor=actor, organization=organization)
    schedule = Schedule(organization=organization, name=(name or "").strip(), time_zone=(time_zone or "").strip())
    _name_free(organization=organization, name=schedule.name)
    model_check(schedule)
    saved_or_invalid(schedule, field="name", message=str(NAME_TAKEN))
    audit_record(organization=organization, actor=actor, action="schedule.create", obj=schedule,
                 changes={"name": schedule.name, "time_zone": schedule.time_zone})
    return schedule


@transaction.atomic
def schedule_update(*, schedule: Schedule, actor, version: int, name: str, time_zone: str) -> Schedule:
    admin_require(actor=actor, organization=schedule.organization)
    row = Schedule(pk=schedule.pk, organization=schedule.organization, name=(name or "").strip(),
                   time_zone=(time_zone or "").strip(), version=version)
    row._state.adding = False  # the row exists: its own id and name are not a clash
    _name_free(organization=schedule.organization, name=row.name, pk=schedule.pk)
    model_check(row)
    try:
        with transaction.atomic():
            version_bump(Schedule, pk=schedule.pk, version=version, name=row.name, time_zone=row.time_zone)
    except IntegrityError as exc:  # the same name taken by a concurrent create or rename
        raise InvalidInput(str(NAME_TAKEN), field="name") from exc
    audit_record(organization=schedule.organization, actor=actor, action="schedule.update", obj=schedule,
                 changes={"name": [schedule.name, row.name], "time_zone": [schedule.time_zone, row.time_zone]})
    schedule.refresh_from_db()
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: Schedule, actor, version: int) -> None:
    admin_require(actor=actor, organization=schedule.organization)
    # Deleting would cascade to the levels that page it and silently change whom those policies wake.
    users = sorted({level.policy.name for level in
                    EscalationLevel.objects.filter(schedule=schedule).select_related("policy")})
    if users:
        raise InvalidTransition(_("Escalation policies page this schedule (%(names)s). Change them first.")
                                % {"names": ", ".join(users)})
    audit_record(organization=schedule.organization, actor=actor, action="schedule.delete", obj=schedule,
                 changes={"name": schedule.name})
    version_delete(Schedule, pk=schedule.pk, version=version)


def _rotation_row(*, schedule: Schedule, name: str, starts_on: date | None, handoff_time: time | None,
                  length_days: int | None, position: int) -> Rotation:
    rotation = Rotation(schedule=schedule, name=(name or "").strip(), starts_on=starts_on,
                        handoff_time=handoff_time, length_days=length_days, position=position)
    model_check(rotation)
    return rotation


def _members_set(*, rotation: Rotation, member_ids: list[int]) -> None:
    if len(set(member_ids)) != len(member_ids):
        raise InvalidInput(_("Name each person once; they take turns in the order given."), field="members")
    members_require(organization=rotation.schedule.organization, user_ids=member_ids, field="members")
    RotationMember.objects.filter(rotation=rotation).delete()
    RotationMember.objects.bulk_create([RotationMember(rotation=rotation, user_id=user_id, position=position)
                                        for position, user_id in enumerate(member_ids)])


def _rotation_changes(rotation: Rotation, member_ids: list[int]) -> dict:
    return {"name": rotation.name, "starts_on": _plain(rotation.starts_on),
            "handoff_time": _plain(rotation.handoff_time), "length_days": rotation.length_days,
            "position": rotation.position, "members": member_ids}


@transaction.atomic
def rotation_create(*, schedule: Schedule, actor, name: str, starts_on: date | None, handoff_time: time | None,
                    length_days: int | None, member_ids: list[int], position: int | None = None) -> Rotation:
    admin_require(actor=actor, organization=schedule.organization)
    if position is None:
        highest = Rotation.objects.filter(schedule=schedule).aggregate(highest=Max("position"))["highest"]
        position = 0 if highest is None else highest + 1
    rotation = _rotation_row(schedule=schedule, name=name, starts_on=starts_on, handoff_time=handoff_time,
                             length_days=length_days, position=position)
    rotation.save()
    _members_set(rotation=rotation, member_ids=member_ids)
    audit_record(organization=schedule.organization, actor=actor, action="rotation.create", obj=rotation,
                 changes=_rotation_changes(rotation, member_ids))
    return rotation


@transaction.atomic
def rotation_update(*, rotation: Rotation, actor, version: int, name: str, starts_on: date | None,
                    handoff_time: time | None, length_days: int | None, member_ids: list[int],
                    position: int) -> Rotation:
    schedule = rotation.schedule
    admin_require(actor=actor, organization=schedule.organization)
    row = _rotation_row(schedule=schedule, name=name, starts_on=starts_on, handoff_time=handoff_time,
                        length_days=length_days, position=position)
    # The bump takes the row's lock first, so a concurrent edit waits and then finds the version moved on.
    version_bump(Rotation, pk=rotation.pk, version=version, name=row.name, starts_on=row.starts_on,
                 handoff_time=row.handoff_time, length_days=row.length_days, position=row.position)
    _members_set(rotation=rotation, member_ids=member_ids)
    rotation.refresh_from_db()
    audit_record(organization=schedule.organization, actor=actor, action="rotation.update", obj=rotation,
                 changes=_rotation_changes(rotation, member_ids))
    return rotation


@transaction.atomic
def rotation_delete(*, rotation: Rotation, actor, version: int) -> None:
    schedule = rotation.schedule
    admin_require(actor=actor, organization=schedule.organization)
    audit_record(organization=schedule.organization, actor=actor, action="rotation.delete", obj=rotation,
                 changes={"name": rotation.name})
    version_delete(Rotation, pk=rotation.pk, version=version)


def _override_row(*, schedule: Schedule, user_id: int | None, starts_at: datetime | None,
                  ends_at: datetime | None, reason: str) -> Override:
    if user_id is None:
        raise InvalidInput(_("Choose who is on call instead."), field="user")
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if moment is None or moment.tzinfo is None:
            raise InvalidInput(_("Give a date and time."), field=field)
    starts_at, ends_at = moment_in_utc(starts_at), moment_in_utc(ends_at)
    if ends_at <= starts_at:
        raise InvalidInput(_("An override must end after it starts."), field="ends_at")
    members_require(organization=schedule.organization, user_ids=[user_id], field="user")
    override = Override(schedule=schedule, user_id=user_id, starts_at=starts_at, ends_at=ends_at,
                        reason=(reason or "").strip())
    model_check(override, exclude=["user"])
    return override


def _override_changes(override: Override) -> dict:
    return {"user": override.user_id, "starts_at": _plain(override.starts_at), "ends_at": _plain(override.ends_at),
            "reason": override.reason}


@transaction.atomic
def override_create(*, schedule: Schedule, actor, user_id: int | None, starts_at: datetime | None,
                    ends_at: datetime | None, reason: str = "") -> Override:
    admin_require(actor=actor, organization=schedule.organization)
    override = _override_row(schedule=schedule, user_id=user_id, starts_at=starts_at, ends_at=ends_at, reason=reason)
    override.save()
    audit_record(organization=schedule.organization, actor=actor, action="override.create", obj=override,
                 changes=_override_changes(override))
    return override


@transaction.atomic
def override_update(*, override: Override, actor, version: int, user_id: int | None, starts_at: datetime | None,
                    ends_at: datetime | None, reason: str = "") -> Override:
    schedule = override.schedule
    admin_require(actor=actor, organization=schedule.organization)
    row = _override_row(schedule=schedule, user_id=user_id, starts_at=starts_at, ends_at=ends_at, reason=reason)
    version_bump(Override, pk=override.pk, version=version, user_id=row.user_id, starts_at=row.starts_at,
                 ends_at=row.ends_at, reason=row.reason)
    override.refresh_from_db()
    audit_record(organization=schedule.organization, actor=actor, action="override.update", obj=override,
                 changes=_override_changes(override))
    return override


@transaction.atomic
def override_delete(*, override: Override, actor, version: int) -> None:
    schedule = override.schedule
    admin_require(actor=actor, organization=schedule.organization)
    audit_record(organization=schedule.organization, actor=actor, action="override.delete", obj=override,
                 changes=_override_changes(override))
    version_delete(Override, pk=override.pk, version=version)
