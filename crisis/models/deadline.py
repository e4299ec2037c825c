from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from .incident import Incident
from .organization import Role
from .timeline import TimelineEvent


class DeadlineState(models.TextChoices):
    PENDING = "pending", _("Pending")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")
    WAIVED = "waived", _("Waived")


class DeadlineKind(models.TextChoices):
    PLAYBOOK = "playbook", _("Playbook step")
    SURGE = "surge", _("Respond to a sentiment surge")
    # A page's next escalation level (crisis.oncall): subject says which page and step.
    ESCALATION = "escalation", _("Escalate an unacknowledged page")


class Deadline(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=16, choices=DeadlineKind.choices, default=DeadlineKind.PLAYBOOK)
    step_key = models.SlugField(_("step"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    # Recurring steps roll: occurrence n+1 is created when n is met or breached.
    occurrence = models.PositiveIntegerField(_("occurrence"), default=0)
    responsible_role = models.CharField(_("responsible role"), max_length=16, choices=Role.choices,
                                        default=Role.COMMANDER)
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=16, choices=DeadlineState.choices, default=DeadlineState.PENDING)
    # Bumped by every transition and every move; timers carry the version they were scheduled for.
    version = models.PositiveIntegerField(default=1)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waive_reason = models.TextField(_("waiver reason"), blank=True)
    note = models.TextField(_("note"), blank=True)
    satisfied_by_event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    # The version for which a Celery ETA task was sent; the engine sends one per version, no more.
    eta_version = models.PositiveIntegerField(null=True, blank=True)
    # What a non-playbook deadline is about, e.g. {"page_id": 7, "step": 1} for an escalation.
    subject = models.JSONField(_("subject"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "step_key", "occurrence"],
                                    name="deadline_unique_occurrence"),
        ]
        indexes = [
            # The sweeper's query: "pending deadlines due by now, earliest first" and "the next due_at".
            # Partial, so 100,000 met/breached rows cost nothing to the hot path.
            models.Index(fields=["due_at"], name="deadline_pending_due",
                         condition=models.Q(state="pending")),
            models.Index(fields=["incident", "state"], name="deadline_incident_state"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at:%H:%M} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state == DeadlineState.PENDING


class Breach(models.Model):
    """Outbox row: one per (deadline, version) that slipped. Alerting delivers from here."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="breaches")
    deadline_version = models.PositiveIntegerField()
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="breaches")
    breached_at = models.DateTimeField(_("due at (breached)"))
    # Commit-side timestamp from the database server, so latency is measured on one clock.
    recorded_at = models.DateTimeField(_("recorded at"), db_default=Now())
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["breached_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deadline", "deadline_version"], name="breach_once_per_version"),
        ]
        indexes = [
            # The outbox relay: "breaches not dispatched yet".
            models.Index(fields=["recorded_at"], name="breach_undispatched",
                         condition=models.Q(dispatched_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"Breach of {self.deadline_id} v{self.deadline_version}"
