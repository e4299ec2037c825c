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
    password = factory.PostGenerationMethodCall("set_password", "pw")


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
