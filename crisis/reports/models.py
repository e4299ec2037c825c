from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crisis.models import Incident

from .storage import report_storage


class PostMortem(models.Model):
    """The parts of the 复盘 that people write; everything else is assembled from the record."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="postmortem")
    summary = models.TextField(_("summary"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    went_well = models.TextField(_("what went well"), blank=True)
    went_badly = models.TextField(_("what went badly"), blank=True)
    # Bumped by every edit; two people editing the same section must not overwrite each other silently.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    SECTIONS = ("summary", "root_cause", "went_well", "went_badly")

    class Meta:
        verbose_name = _("post-mortem")
        verbose_name_plural = _("post-mortems")

    def __str__(self) -> str:
        return f"Post-mortem of {self.incident_id}"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ActionItem(models.Model):
    """A promise the post-mortem makes; tracked across incidents so none is left to "blow over"."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("title"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("owner"))
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ActionItemStatus.choices,
                              default=ActionItemStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        indexes = [
            # The cross-incident list: "an organization's open items by due date" filters on incident's
            # organization and status; this keeps the per-incident section and the status filter cheap.
            models.Index(fields=["incident", "status"], name="action_item_incident_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_name(self) -> str:
        if self.owner is None:
            return "–"
        return self.owner.get_full_name() or self.owner.get_username()


class ReportFormat(models.TextChoices):
    HTML = "html", "HTML"
    MARKDOWN = "md", "Markdown"
    PDF = "pdf", "PDF"
    JSON = "json", "JSON"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_upload_to(instance: "ReportFile", filename: str) -> str:
    return f"incident-{instance.incident_id}/{filename}"


class ReportFile(models.Model):
    """One generated report. The newest finished one per (incident, format) is what people download."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="report_files")
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    # 1, 2, 3 ... per (incident, format): "version 4 of the PDF".
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # The language the requester reads; the task renders in it.
    language = models.CharField(_("language"), max_length=16, default="en")
    file = models.FileField(_("file"), storage=report_storage, upload_to=report_upload_to, blank=True,
                            max_length=300)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    # Which run of the task owns the row; a redelivered task takes over only by compare-and-set on this.
    attempt = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "format", "number"], name="report_file_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.format} v{self.number}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
