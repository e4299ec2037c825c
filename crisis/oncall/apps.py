from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "crisis.oncall"
    label = "crisis_oncall"
    verbose_name = _("On-call alerts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # On-call subscribes to the engine; the engine (crisis/timers/) imports nothing from here.
        from crisis.timers.consumers import breach_consumer_register
        from crisis.timers.housekeeping import housekeeping_register

        from .dispatch import oncall_housekeeping
        from .receivers import breaches_page, connect

        connect()
        breach_consumer_register("oncall", breaches_page)
        housekeeping_register("oncall", oncall_housekeeping)
