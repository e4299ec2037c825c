from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "crisis.oncall"
    label = "crisis_oncall"
    verbose_name = _("On-call alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisis.timers.housekeeping import housekeeping_register

        from .dispatch import oncall_housekeeping
        from .receivers import connect

        connect()
        housekeeping_register("oncall", oncall_housekeeping)
