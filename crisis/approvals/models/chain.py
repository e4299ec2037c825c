from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Organization, StatementKind


class ApprovalChain(models.Model):
    """Who signs off on a kind of statement, in order: e.g. legal, then the PR lead, then an executive.

    ``steps`` is a list of {"name", "approvers": [user ids], "deputies": [user ids], "limit_minutes": int|None},
    edited as a whole (crisis.approvals.services.chains) so that two admins cannot interleave half-edits.
    A statement keeps the copy it was submitted under: editing the chain never changes a review under way.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="approval_chains")
    kind = models.CharField(_("statement kind"), max_length=24, choices=StatementKind.choices)
    steps = models.JSONField(_("steps"), default=list)
    # Bumped by every edit: the compare-and-set of approval_chain_set.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("approval chain")
        verbose_name_plural = _("approval chains")
        ordering = ["organization", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind"], name="approval_chain_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} / {self.get_kind_display()}"
