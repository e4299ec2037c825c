from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarSecret(models.Model):
    """The secret every calendar link of one person carries (with their organization's schedules in them).

    A new secret makes every link made out before it a 404: the person rotates it when a link leaks, an admin
    when a phone is lost, and leaving an organization rotates it so that being added again revives nothing.
    Kept in the clear because the desk shows the links again on every visit; a link also carries a signature
    with SECRET_KEY, so reading this table alone does not make one.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="oncall_calendar_secret")
    secret = models.CharField(_("secret"), max_length=64)
    rotated_at = models.DateTimeField(_("rotated at"))

    class Meta:
        verbose_name = _("calendar link secret")
        verbose_name_plural = _("calendar link secrets")

    def __str__(self) -> str:
        return str(self.user)
