from django.db import models
from django.utils.translation import gettext_lazy as _

from crisis.models import Statement


class OffScriptPost(models.Model):
    """Who said it and from which account, for a statement logged as off-script (``Statement.is_off_script``):
    the statement holds the text, the channel, the link and when it went out."""

    statement = models.OneToOneField(Statement, on_delete=models.CASCADE, related_name="off_script_post")
    posted_by = models.CharField(_("posted by"), max_length=200)
    account = models.CharField(_("account"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("off-script post")
        verbose_name_plural = _("off-script posts")

    def __str__(self) -> str:
        return f"{self.posted_by}: {self.statement}"
