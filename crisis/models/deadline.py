from django.conf import settings
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
    # Owned deadlines: somebody's own promise or task, paged to them first (see crisis/services/owned_deadlines.py).
    COMMITMENT = "commitment", _("Keep a public promise")
    APPROVAL = "approval", _("Approve a statement")
    INQUIRY = "inquiry", _("Answer an inquiry")
    ACTION_ITEM = "action_item", _("Finish an action item")


# Kinds whose alarm goes to the person who owes it (then their deputies, then the commander), not to the
# severity's escalation policy.
OWNED_KINDS = (DeadlineKind.COMMITMENT, DeadlineKind.APPROVAL, DeadlineKind.INQUIRY, DeadlineKind.ACTION_ITEM)

# Kinds still owed after the incident is over: a post-mortem's action item falls due weeks after the crisis
# (the thorn that stays). Resolving the incident does not cancel them, and their warnings and pages are
# opened, escalated and kept open whatever the incident's status (see crisis/oncall/dispatch.py).
OUTLIVES_INCIDENT_KINDS = (DeadlineKind.ACTION_ITEM,)


def deadline_outlives_incident(deadline: "Deadline") -> bool:
    """True for such a deadline, and for the escalation timer of a page about one."""
    return deadline.kind in OUTLIVES_INCIDENT_KINDS or bool((deadline.subject or {}).get("outlives_incident"))


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
    # When the satisfying fact happened in the world (a statement's publication, a checkpoint's
    # measurement); verdicts are judged on it. met_recorded_at is when it was entered, for the audit.
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_recorded_at = models.DateTimeField(_("met (recorded at)"), null=True, blank=True)
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
    # What a non-playbook deadline is about, e.g. {"page_id": 7, "step": 1} for an escalation, or for an
    # owned one {"type": "commitment", "id": 5, "chain": [...], "warn_before_seconds": 900}.
    subject = models.JSONField(_("subject"), null=True, blank=True)
    # Who owes an owned deadline (OWNED_KINDS): their "waiting for you" list, and the first one paged.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_deadlines", verbose_name=_("owner"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "step_key", "occurrence"],
                                    name="deadline_unique_occurrence"),
            # "Met" means met on time; a deadline met after its due time stays breached, with met_at.
            models.CheckConstraint(
                condition=~models.Q(state="met") | models.Q(met_at__isnull=False, met_at__lte=models.F("due_at")),
                name="deadline_met_in_time",
            ),
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
    # Already past due when the deadline was set (an incident logged late, a back-dated signal):
    # such breaches of one incident are paged together, as one page that lists them.
    is_on_arrival = models.BooleanField(_("overdue on arrival"), default=False)
    # A fact entered later showed the deadline was met in time: the alarm was false. The row stays,
    # so the record says that it rang and why it was withdrawn.
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)
    retracted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("retracted by"))
    retraction_reason = models.TextField(_("why it was retracted"), blank=True)

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


class PassedOccurrences(models.Model):
    """Occurrences of a repeating step that fell due while nobody could act on them, as one record.

    An incident logged five hours late, or an engine that was down all night, would otherwise owe one
    deadline (and one page) per missed half-hour. The step keeps a deadline for its current and next
    occurrence only; the ones in between are counted here, on the step's grid:
    ``first_due_at + k * recurrence_seconds`` for k < count. Whether facts entered later cover them is
    read from those facts (crisis.playbooks.passed), never stored, so it is right whenever they arrive.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="passed_occurrences")
    kind = models.CharField(_("kind"), max_length=16, choices=DeadlineKind.choices, default=DeadlineKind.PLAYBOOK)
    step_key = models.SlugField(_("step"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    first_occurrence = models.PositiveIntegerField(_("first occurrence"))
    count = models.PositiveIntegerField(_("occurrences"))
    first_due_at = models.DateTimeField(_("first due at"))
    recurrence_seconds = models.PositiveIntegerField(_("repeat every (s)"))
    # Before the incident was logged, or while it was open but the occurrences went by unrecorded.
    is_before_logging = models.BooleanField(_("before the incident was logged"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("passed occurrences")
        verbose_name_plural = _("passed occurrences")
        ordering = ["first_due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "kind", "step_key", "first_occurrence"],
                                    name="passed_occurrences_unique_start"),
            models.CheckConstraint(condition=models.Q(count__gte=1, recurrence_seconds__gte=1),
                                   name="passed_occurrences_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.count} passed from {self.first_due_at:%Y-%m-%d %H:%M}"

    def due_times(self) -> list:
        from datetime import timedelta

        step = timedelta(seconds=self.recurrence_seconds)
        return [self.first_due_at + k * step for k in range(self.count)]

    @property
    def last_due_at(self):
        from datetime import timedelta

        return self.first_due_at + (self.count - 1) * timedelta(seconds=self.recurrence_seconds)
