"""Rows for report tests, written directly so every figure in the hand-built incident is known."""

import factory
from django.utils import timezone

from crisis import models
from crisis.reports.models import ActionItem
from tests.factories import IncidentFactory


class DeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Deadline

    incident = factory.SubFactory(IncidentFactory)
    step_key = "acknowledge"
    name = "Acknowledge and assemble the response team"
    due_at = factory.LazyFunction(timezone.now)
    state = models.DeadlineState.PENDING


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    incident = factory.SubFactory(IncidentFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    created_at = factory.LazyFunction(timezone.now)
