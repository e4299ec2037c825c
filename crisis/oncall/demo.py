"""The demo's on-call set-up: demo-responder is on call, and a page escalates to the commander."""

from datetime import datetime, time, timedelta

from crisis.models import Organization

from .models import (
    ContactKind,
    ContactMethod,
    ContactPreference,
    EscalationLevel,
    EscalationPolicy,
    IncidentRole,
    Rotation,
    RotationMember,
    Schedule,
    TargetKind,
)

DEMO_ESCALATE_AFTER_MINUTES = 5


def oncall_demo_setup(*, organization: Organization, users: dict, now: datetime) -> EscalationPolicy:
    """Idempotent: a second run finds what the first made."""
    schedule, _created = Schedule.objects.get_or_create(
        organization=organization, name="Crisis desk on call", defaults={"time_zone": organization.time_zone})
    rotation, created = Rotation.objects.get_or_create(
        schedule=schedule, name="Weekly", defaults={"starts_on": (now - timedelta(days=1)).date(),
                                                    "handoff_time": time(9, 0), "length_days": 7})
    if created:
        # The responder's week first, so the demo's pages reach them; the approver takes the next week.
        RotationMember.objects.create(rotation=rotation, user=users["responder"], position=0)
        RotationMember.objects.create(rotation=rotation, user=users["approver2"], position=1)
    policy, created = EscalationPolicy.objects.get_or_create(
        organization=organization, name="Crisis desk", defaults={"severities": [], "repeat": 1})
    if created:
        EscalationLevel.objects.create(policy=policy, position=0, target_kind=TargetKind.SCHEDULE, schedule=schedule,
                                       wait_seconds=DEMO_ESCALATE_AFTER_MINUTES * 60)
        EscalationLevel.objects.create(policy=policy, position=1, target_kind=TargetKind.INCIDENT_ROLE,
                                       incident_role=IncidentRole.COMMANDER,
                                       wait_seconds=DEMO_ESCALATE_AFTER_MINUTES * 60)
    _demo_contacts(users)
    return policy


def _demo_contacts(users: dict) -> None:
    """Everyone who can be paged in the demo is reachable on the console outbox ("sent messages")."""
    for name in ("responder", "commander", "approver2"):
        ContactMethod.objects.get_or_create(user=users[name], kind=ContactKind.CONSOLE,
                                            defaults={"label": "Console (demo)"})
    # Quiet hours for the second approver: pages below SEV1 wait for the morning, SEV1 still gets through.
    ContactPreference.objects.get_or_create(user=users["approver2"], defaults={
        "time_zone": "Asia/Shanghai", "quiet_start": time(23, 0), "quiet_end": time(7, 0)})


def oncall_demo_dispatch(*, incidents) -> int:
    """Turn the demo's breaches into pages now, so the incident room shows paging before a worker runs.
    The same dispatch a worker would do, and idempotent: the worker's later copy finds them dispatched."""
    from crisis.models import Breach
    from crisis.timers.tasks import breach_dispatch

    pending = Breach.objects.filter(incident__in=incidents, dispatched_at__isnull=True).values_list("pk", flat=True)
    return sum(bool(breach_dispatch(pk)) for pk in list(pending))
