"""Factories for on-call configuration (kept beside the tests that use them; tests/factories.py is shared)."""

from datetime import date, time

import factory

from crisis.oncall import models
from tests.factories import OrganizationFactory, UserFactory


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Schedule

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Schedule {n}")
    time_zone = "Asia/Shanghai"


class RotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Rotation

    schedule = factory.SubFactory(ScheduleFactory)
    name = "Primary"
    starts_on = date(2026, 11, 1)
    handoff_time = time(9, 0)
    length_days = 1


def rotation_with(schedule, users, **fields):
    """A rotation of ``users`` in this order."""
    rotation = RotationFactory(schedule=schedule, **fields)
    for position, user in enumerate(users):
        models.RotationMember.objects.create(rotation=rotation, user=user, position=position)
    return rotation


class EscalationPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.EscalationPolicy

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Policy {n}")


def policy_with(organization, levels, **fields):
    """``levels``: dicts of EscalationLevel fields, in order."""
    policy = EscalationPolicyFactory(organization=organization, **fields)
    for position, level in enumerate(levels):
        models.EscalationLevel.objects.create(policy=policy, position=position, **level)
    return policy


class ContactMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ContactMethod

    user = factory.SubFactory(UserFactory)
    kind = models.ContactKind.WEBHOOK
    target = "http://127.0.0.1:9/hook"
    secret = "s3cret"
