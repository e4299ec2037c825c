from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organization import Organization, Role
from .timeline import EventKind

GOLDEN_FOUR_HOURS = "golden-4-hours"


class SatisfiedBy(models.TextChoices):
    STATEMENT_PUBLISHED = "statement_published", _("A statement is published")
    CHECKPOINT_RECORDED = "checkpoint_recorded", _("A sentiment checkpoint is recorded")
    ACKNOWLEDGED = "acknowledged", _("The incident is acknowledged")
    EVENT_KIND = "event_kind", _("A timeline event of a given kind is logged")
    MANUAL = "manual", _("A person ticks it off with a note")


class RecurUntil(models.TextChoices):
    RESOLVED = "resolved", _("until the incident is resolved")
    OFFSET = "offset", _("until an offset from the clock start")


PUBLIC_CHANNELS = "public"  # step.channel value meaning "any channel but internal"


class Playbook(models.Model):
    """A versioned response playbook. Editing makes a new version; incidents keep the one they started with."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="playbooks")
    key = models.SlugField(_("key"), max_length=80, default=GOLDEN_FOUR_HOURS)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["organization", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key", "version"], name="playbook_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(_("key"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("why"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    satisfied_by = models.CharField(_("satisfied by"), max_length=32, choices=SatisfiedBy.choices)
    # For STATEMENT_PUBLISHED: which kinds count (empty = any) and on which channel ("" = any, "public" = not internal).
    statement_kinds = models.JSONField(_("statement kinds"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=24, blank=True)
    event_kind = models.CharField(_("event kind"), max_length=24, choices=EventKind.choices, blank=True)
    offset_seconds = models.PositiveIntegerField(_("offset from first public signal (s)"))
    # {"1": 450} overrides the offset for SEV1, and so on; missing severities use offset_seconds.
    severity_offsets = models.JSONField(_("offsets per severity (s)"), default=dict, blank=True)
    recurrence_seconds = models.PositiveIntegerField(
        _("repeat every (s)"), null=True, blank=True, validators=[MinValueValidator(60)]
    )
    recur_until = models.CharField(_("repeat"), max_length=16, choices=RecurUntil.choices, blank=True)
    recur_until_seconds = models.PositiveIntegerField(_("repeat until offset (s)"), null=True, blank=True)
    responsible_role = models.CharField(_("responsible role"), max_length=16, choices=Role.choices,
                                        default=Role.COMMANDER)
    warn_before_seconds = models.PositiveIntegerField(_("warn before (s)"), default=600)

    class Meta:
        verbose_name = _("playbook step")
        verbose_name_plural = _("playbook steps")
        ordering = ["playbook", "position", "offset_seconds"]
        constraints = [models.UniqueConstraint(fields=["playbook", "key"], name="playbook_step_unique_key")]

    def __str__(self) -> str:
        return self.name



