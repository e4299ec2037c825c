"""The demo's on-call set-up: demo-responder is on call, and a page escalates to the commander."""

from datetime import datetime, time, timedelta

from crisis.models import Organization

from .models import EscalationLevel, EscalationPolicy, IncidentRole, Rotation, RotationMember, Schedule, TargetKind

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
    return policy
