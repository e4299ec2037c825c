from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "crisis"
    verbose_name = _("Crisis response")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisis.services.invitations import invitations_mail_resend
        from crisis.timers.housekeeping import housekeeping_register

        housekeeping_register("invitations-mail-resend", invitations_mail_resend)
