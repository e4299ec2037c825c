from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from crisis import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    # Hashed at build time, so the password is in the row that is saved (force_login and sign-in both work).
    password = factory.django.Password("pw")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = models.Role.RESPONDER


def member(organization, role=models.Role.RESPONDER, **user_fields):
    """A user holding ``role`` in ``organization``."""
    return MembershipFactory(organization=organization, role=role, user=UserFactory(**user_fields)).user


class IncidentFactory(factory.django.DjangoModelFactory):
    """A bare incident row, for tests of reads; tests of behaviour open incidents through the service."""

    class Meta:
        model = models.Incident

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Incident {n}")
    severity = models.Severity.SEV2
    status = models.IncidentStatus.ACTIVE
    first_public_signal_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=30))
    detected_at = factory.LazyAttribute(lambda o: o.first_public_signal_at + timedelta(minutes=5))


# Rows written directly, bypassing the services: for tests of model invariants and database
# constraints, which must hold whatever writes the row.


class TimelineEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TimelineEvent

    incident = factory.SubFactory(IncidentFactory)
    kind = models.EventKind.OBSERVATION
    body = factory.Sequence(lambda n: f"Observation {n}")
    occurred_at = factory.LazyFunction(timezone.now)
    recorded_at = factory.LazyFunction(timezone.now)


class SentimentCheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SentimentCheckpoint

    incident = factory.SubFactory(IncidentFactory)
    measured_at = factory.LazyFunction(timezone.now)
    recorded_at = factory.LazyFunction(timezone.now)
    source = "Weibo"
    mention_volume = 1000
    negative_share = 0.5


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Statement

    incident = factory.SubFactory(IncidentFactory)
    channel = models.Channel.WEIBO
    kind = models.StatementKind.HOLDING


class StatementVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StatementVersion

    statement = factory.SubFactory(StatementFactory)
    number = factory.Sequence(lambda n: n + 1)
    body = "我们已关注到相关视频，正在核实。"
    created_at = factory.LazyFunction(timezone.now)


class StatementApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StatementApproval

    version = factory.SubFactory(StatementVersionFactory)
    approver = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AuditEntry

    action = "incident.open"
    object_type = "crisis.incident"
    object_id = "1"
