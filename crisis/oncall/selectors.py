"""Reads shared by services, views, feeds and the demo: who is on call, whom a level pages."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from crisis.models import Incident, Membership, Organization

from .models import Delivery, EscalationLevel, EscalationPolicy, IncidentRole, Override, Page, Schedule, TargetKind
from .rotation import Shift, shift_at, shifts_between


@dataclass(frozen=True)
class Level:
    """An escalation level as the page walks it: a policy's row, or the implicit one when there is none."""

    target_kind: str
    user_id: int | None = None
    incident_role: str = ""
    schedule_id: int | None = None
    wait_seconds: int = 300


@dataclass(frozen=True)
class OnCallSpan:
    user_id: int
    starts_at: datetime
    ends_at: datetime
    label: str
    uid: str


def oncall_user_at(*, schedule: Schedule, moment: datetime):
    """The person on call for ``schedule`` at ``moment``: the latest override covering it, else the first
    rotation (by position) that has started and has members."""
    override = (Override.objects.filter(schedule=schedule, starts_at__lte=moment, ends_at__gt=moment)
                .select_related("user").order_by("-created_at", "-id").first())
    if override is not None:
        return override.user
    for rotation in schedule.rotations.prefetch_related("members__user"):
        members = list(rotation.members.all())
        if not members:
            continue
        shift = shift_at(starts_on=rotation.starts_on, handoff_time=rotation.handoff_time,
                         length_days=rotation.length_days, zone=schedule.time_zone, moment=moment)
        if shift is not None:
            return members[shift.index % len(members)].user
    return None


def schedule_spans(*, schedule: Schedule, start: datetime, end: datetime) -> list[OnCallSpan]:
    """Rotation shifts and overrides between ``start`` and ``end``, for calendar feeds (overrides listed on top)."""
    spans: list[OnCallSpan] = []
    for rotation in schedule.rotations.prefetch_related("members"):
        members = list(rotation.members.all())
        if not members:
            continue
        shifts: list[Shift] = shifts_between(starts_on=rotation.starts_on, handoff_time=rotation.handoff_time,
                                             length_days=rotation.length_days, zone=schedule.time_zone,
                                             start=start, end=end)
        spans += [OnCallSpan(user_id=members[s.index % len(members)].user_id, starts_at=s.starts_at,
                             ends_at=s.ends_at, label=rotation.name,
                             uid=f"shift-{rotation.pk}-{s.index}") for s in shifts]
    for override in schedule.overrides.filter(starts_at__lt=end, ends_at__gt=start):
        spans.append(OnCallSpan(user_id=override.user_id, starts_at=override.starts_at, ends_at=override.ends_at,
                                label=override.reason or gettext("Override"), uid=f"override-{override.pk}"))
    return sorted(spans, key=lambda s: (s.starts_at, s.uid))


def escalation_policy_for(*, organization: Organization, severity: int,
                          sentiment_level: int = 0) -> EscalationPolicy | None:
    return escalation_policy_choose(
        policies=list(EscalationPolicy.objects.filter(organization=organization).order_by("id")),
        severity=severity, sentiment_level=sentiment_level)


def escalation_policy_choose(*, policies: list[EscalationPolicy], severity: int,
                             sentiment_level: int = 0) -> EscalationPolicy | None:
    """The policy naming this severity, else the organization's default (no severities listed). A policy with
    a minimum sentiment level is used only while the incident's level is at least that, and then before
    the policies that ask for less (the most specific condition wins)."""
    usable = sorted((p for p in policies if p.min_sentiment_level <= sentiment_level),
                    key=lambda p: (-p.min_sentiment_level, p.pk))
    for policy in usable:
        if severity in (policy.severities or []):
            return policy
    return next((p for p in usable if not p.severities), None)


def page_levels(*, page: Page) -> list[Level]:
    return levels_for(policy_id=page.policy_id, target_user_id=page.target_user_id, chain=page.chain)


def chain_levels(chain: list[dict]) -> list[Level]:
    """An owned deadline's people, in turn: a person by id, or the incident's commander."""
    return [Level(target_kind=TargetKind.USER, user_id=link["user"], wait_seconds=int(link.get("wait", 300)))
            if link.get("user") else
            Level(target_kind=TargetKind.INCIDENT_ROLE, incident_role=IncidentRole.COMMANDER,
                  wait_seconds=int(link.get("wait", 300)))
            for link in chain]


def levels_for(*, policy_id: int | None, target_user_id: int | None, chain: list[dict] | None = None) -> list[Level]:
    if chain:
        return chain_levels(chain)
    if target_user_id is not None:
        return [Level(target_kind=TargetKind.USER, user_id=target_user_id)]
    if policy_id is not None:
        rows = EscalationLevel.objects.filter(policy_id=policy_id).order_by("position", "id")
        levels = [Level(target_kind=r.target_kind, user_id=r.user_id, incident_role=r.incident_role,
                        schedule_id=r.schedule_id, wait_seconds=r.wait_seconds) for r in rows]
        if levels:
            return levels
    # No policy: whoever commands the incident hears about it, once.
    return [Level(target_kind=TargetKind.INCIDENT_ROLE, incident_role=IncidentRole.COMMANDER)]


def page_step_count(*, page: Page, levels: list[Level]) -> int:
    return step_count_for(policy=page.policy if page.policy_id else None, target_user_id=page.target_user_id,
                          levels=levels)


def step_count_for(*, policy: EscalationPolicy | None, target_user_id: int | None, levels: list[Level]) -> int:
    repeat = policy.repeat if policy is not None and target_user_id is None else 0
    return len(levels) * (repeat + 1)


def level_users(*, level: Level, incident: Incident | None, moment: datetime) -> list:
    """Who this level pages now."""
    found = get_user_model().objects.in_bulk(level_user_ids(level=level, incident=incident, moment=moment))
    return list(found.values())


def level_user_ids(*, level: Level, incident: Incident | None, moment: datetime,
                   on_call: dict[int, int | None] | None = None) -> list[int]:
    """The user ids a level names at ``moment``; ``on_call`` caches schedule lookups across many pages."""
    if level.target_kind == TargetKind.USER:
        return [level.user_id] if level.user_id else []
    if level.target_kind == TargetKind.INCIDENT_ROLE:
        user_id = getattr(incident, f"{level.incident_role}_id", None) if incident is not None else None
        return [user_id] if user_id else []
    on_call = {} if on_call is None else on_call
    if level.schedule_id not in on_call:
        schedule = Schedule.objects.filter(pk=level.schedule_id).first()
        user = oncall_user_at(schedule=schedule, moment=moment) if schedule else None
        on_call[level.schedule_id] = user.pk if user is not None else None
    user_id = on_call[level.schedule_id]
    return [user_id] if user_id else []


def deliveries_for_user(*, user, limit: int = 100) -> QuerySet[Delivery]:
    """The "sent messages" page: recent deliveries in the organizations this person belongs to."""
    organizations = Membership.objects.filter(user=user).values("organization_id")
    return (Delivery.objects.filter(Q(page__organization_id__in=organizations))
            .select_related("page", "page__incident", "user")
            .prefetch_related("attempt_log")
            .order_by("-created_at", "-id")[:limit])


@dataclass(frozen=True)
class OnCallNow:
    schedule: Schedule
    user: object | None


def oncall_now(*, organization: Organization, moment: datetime) -> list[OnCallNow]:
    """Who is on call right now, per schedule of the organization (a handful of schedules, two queries each)."""
    return [OnCallNow(schedule=s, user=oncall_user_at(schedule=s, moment=moment))
            for s in Schedule.objects.filter(organization=organization).order_by("name")]


def escalation_policy_exists(*, organization: Organization) -> bool:
    return EscalationPolicy.objects.filter(organization=organization).exists()


def incident_pages(*, incident: Incident) -> list[Page]:
    """The incident's pages, newest first, with their deliveries: one query each, whatever their number."""
    return list(Page.objects.filter(incident=incident).select_related("acknowledged_by", "target_user")
                .prefetch_related("deliveries__user").order_by("-triggered_at", "-id"))
