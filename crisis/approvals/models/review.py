from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Deadline, Statement, StatementVersion


class ReviewState(models.TextChoices):
    ACTIVE = "active", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    CANCELLED = "cancelled", _("Cancelled")


class StatementReview(models.Model):
    """One submission of one version of a statement to its approval chain, as the chain stood then."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="reviews")
    statement_version = models.ForeignKey(StatementVersion, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=16, choices=ReviewState.choices, default=ReviewState.ACTIVE)
    # 1-based position of the step that waits; the compare-and-set of an approval moves it on.
    current_position = models.PositiveSmallIntegerField(_("current step"), default=1)
    version = models.PositiveIntegerField(default=1)
    chain_version = models.PositiveIntegerField(_("chain version"))
    step_count = models.PositiveSmallIntegerField(_("steps"))
    # When it was submitted in the world (maybe earlier, from a phone) and when that was entered.
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_recorded_at = models.DateTimeField(_("submission recorded at"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("statement review")
        verbose_name_plural = _("statement reviews")
        ordering = ["statement", "id"]
        constraints = [
            # At most one review under way per statement: a second submission would start a second chain.
            models.UniqueConstraint(fields=["statement"], condition=models.Q(state="active"),
                                    name="statement_review_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.statement} v{self.statement_version.number} ({self.state})"


class StatementReviewStep(models.Model):
    review = models.ForeignKey(StatementReview, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=80)
    approver_ids = models.JSONField(_("approvers"), default=list)
    deputy_ids = models.JSONField(_("deputies"), default=list)
    limit_seconds = models.PositiveIntegerField(_("time limit (s)"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="review_step_unique_position"),
            # One person signs at most one step of a version: the chain's point is several pairs of eyes.
            models.UniqueConstraint(fields=["review", "approved_by"], condition=models.Q(approved_by__isnull=False),
                                    name="review_step_one_step_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}#{self.position} {self.name}"

    @property
    def due_at(self):
        from datetime import timedelta

        return self.started_at + timedelta(seconds=self.limit_seconds) if self.started_at else None
