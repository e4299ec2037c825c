from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .append_only import AppendOnlyModel
from .incident import Incident


class EventKind(models.TextChoices):
    OBSERVATION = "observation", _("Observation")
    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action")
    # Somebody took ownership; logging one with its time acknowledges the incident at that time.
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    STATEMENT = "statement", _("Statement")
    SENTIMENT = "sentiment", _("Sentiment")
    STATUS_CHANGE = "status_change", _("Status change")
    SEVERITY_CHANGE = "severity_change", _("Severity change")
    DEADLINE = "deadline", _("Deadline")
    PAGE = "page", _("Page")
    NOTE = "note", _("Note")
    CORRECTION = "correction", _("Correction")


class TimelineEvent(AppendOnlyModel):
    MUTABLE_FIELDS = frozenset({"is_pinned"})

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices, default=EventKind.NOTE)
    # occurred_at may be back-dated (what happened at 01:40, logged at 02:10); recorded_at never is.
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("actor"),
    )
    # The English text: what search, exports and tools read. System lines also keep ``message`` (a key
    # and its parameters, see crisis/system_lines.py) so that each reader gets them in their language;
    # it is a column of its own, not in ``metadata``, because people and tools write metadata.
    body = models.TextField(_("body"))
    message = models.JSONField(_("system line"), null=True, blank=True)
    source_url = models.URLField(_("source URL"), max_length=1000, blank=True)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections",
        verbose_name=_("corrects"),
    )

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["occurred_at", "id"]
        # The incident room and reports read an incident's timeline in time order.
        indexes = [models.Index(fields=["incident", "occurred_at"], name="timeline_incident_time")]
        # One correction per event: a second one corrects the correction, so history stays a chain.
        constraints = [models.UniqueConstraint(fields=["corrects"], name="timeline_event_one_correction")]

    def __str__(self) -> str:
        return f"[{self.kind}] {self.body[:60]}"

    @property
    def text(self) -> str:
        """What the reader sees: a system line in the active language, what a person wrote as written."""
        from crisis.system_lines import line_render

        return line_render(self.message) or self.body
