from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "crisis.reports"
    label = "crisis_reports"
    verbose_name = _("Post-mortem reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .open_items import open_items_check_register
        from .thorns import thorns_panel_register

        open_items_check_register()
        thorns_panel_register()
