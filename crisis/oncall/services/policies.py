"""Escalation policies from the desk: a name, the severities it is for, and its levels in order.

The levels are written as a whole with the policy (they have no life of their own), under the policy's
version: an edit made against an older version is refused rather than mixing two admins' levels.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from crisis.models import Organization, Severity
from crisis.services.audit import audit_record
from crisis.services.errors import InvalidInput

from ..models import EscalationLevel, EscalationPolicy, IncidentRole, Schedule, TargetKind
from .setup_common import admin_require, members_require, model_check, version_bump, version_delete

MAX_LEVELS = 20
MAX_REPEAT = 10
MAX_WAIT_SECONDS = 24 * 3600


@dataclass(frozen=True)
class LevelInput:
    target_kind: str
    wait_seconds: int
    user_id: int | None = None
    schedule_id: int | None = None
    incident_role: str = ""


# Sentiment levels as crisis.listening numbers them (0 calm ... 3 critical); on-call knows only the numbers.
SENTIMENT_LEVELS = range(4)


def _policy_fields(*, name: str, severities: list[int], repeat: int | None, min_sentiment_level: int = 0) -> dict:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the policy a name."), field="name")
    if any(s not in Severity.values for s in severities):
        raise InvalidInput(_("Choose severities from SEV1 to SEV4."), field="severities")
    if repeat is None or not 0 <= repeat <= MAX_REPEAT:
        raise InvalidInput(_("Repeat between 0 and %(n)d times.") % {"n": MAX_REPEAT}, field="repeat")
    if min_sentiment_level not in SENTIMENT_LEVELS:
        raise InvalidInput(_("Choose a sentiment level from 0 (any) to 3 (critical)."), field="min_sentiment_level")
    return {"name": name, "severities": sorted(set(severities)), "repeat": repeat,
            "min_sentiment_level": min_sentiment_level}


def _levels_check(*, organization: Organization, levels: list[LevelInput]) -> None:
    if len(levels) > MAX_LEVELS:
        raise InvalidInput(_("At most %(n)d levels.") % {"n": MAX_LEVELS}, field="levels")
    for level in levels:
        if not 0 < level.wait_seconds <= MAX_WAIT_SECONDS:
            raise InvalidInput(_("Wait between 1 minute and 24 hours before the next level."), field="levels")
        if level.target_kind == TargetKind.INCIDENT_ROLE and level.incident_role not in IncidentRole.values:
            raise InvalidInput(_("Say whom this level pages."), field="levels")
        if level.target_kind not in TargetKind.values:
            raise InvalidInput(_("Say whom this level pages."), field="levels")
    user_ids = [lv.user_id for lv in levels if lv.target_kind == TargetKind.USER]
    if None in user_ids:
        raise InvalidInput(_("Say whom this level pages."), field="levels")
    members_require(organization=organization, user_ids=user_ids, field="levels")
    schedule_ids = {lv.schedule_id for lv in levels if lv.target_kind == TargetKind.SCHEDULE}
    if schedule_ids and Schedule.objects.filter(organization=organization, pk__in=schedule_ids).count() != len(
            schedule_ids):
        raise InvalidInput(_("Choose one of the organization's schedules."), field="levels")


def _levels_write(*, policy: EscalationPolicy, levels: list[LevelInput]) -> None:
    EscalationLevel.objects.filter(policy=policy).delete()
    EscalationLevel.objects.bulk_create([
        EscalationLevel(policy=policy, position=position, target_kind=level.target_kind,
                        user_id=level.user_id if level.target_kind == TargetKind.USER else None,
                        schedule_id=level.schedule_id if level.target_kind == TargetKind.SCHEDULE else None,
                        incident_role=level.incident_role if level.target_kind == TargetKind.INCIDENT_ROLE else "",
                        wait_seconds=level.wait_seconds)
        for position, level in enumerate(levels)])


def _changes(fields: dict, levels: list[LevelInput]) -> dict:
    return {**fields, "levels": [{"target_kind": lv.target_kind, "user": lv.user_id, "schedule": lv.schedule_id,
                                  "incident_role": lv.incident_role, "wait_seconds": lv.wait_seconds}
                                 for lv in levels]}


@transaction.atomic
def escalation_policy_create(*, organization: Organization, actor, name: str, severities: list[int],
                             repeat: int | None, levels: list[LevelInput],
                             min_sentiment_level: int = 0) -> EscalationPolicy:
    admin_require(actor=actor, organization=organization)
    fields = _policy_fields(name=name, severities=severities, repeat=repeat, min_sentiment_level=min_sentiment_level)
    _levels_check(organization=organization, levels=levels)
    policy = EscalationPolicy(organization=organization, **fields)
    model_check(policy)
    policy.save()
    _levels_write(policy=policy, levels=levels)
    audit_record(organization=organization, actor=actor, action="escalation_policy.create", obj=policy,
                 changes=_changes(fields, levels))
    return policy


@transaction.atomic
def escalation_policy_update(*, policy: EscalationPolicy, actor, version: int, name: str, severities: list[int],
                             repeat: int | None, levels: list[LevelInput],
                             min_sentiment_level: int = 0) -> EscalationPolicy:
    admin_require(actor=actor, organization=policy.organization)
    fields = _policy_fields(name=name, severities=severities, repeat=repeat, min_sentiment_level=min_sentiment_level)
    _levels_check(organization=policy.organization, levels=levels)
    model_check(EscalationPolicy(organization=policy.organization, **fields))
    version_bump(EscalationPolicy, pk=policy.pk, version=version, **fields)
    _levels_write(policy=policy, levels=levels)
    policy.refresh_from_db()
    audit_record(organization=policy.organization, actor=actor, action="escalation_policy.update", obj=policy,
                 changes=_changes(fields, levels))
    return policy


@transaction.atomic
def escalation_policy_delete(*, policy: EscalationPolicy, actor, version: int) -> None:
    admin_require(actor=actor, organization=policy.organization)
    audit_record(organization=policy.organization, actor=actor, action="escalation_policy.delete", obj=policy,
                 changes={"name": policy.name})
    version_delete(EscalationPolicy, pk=policy.pk, version=version)
