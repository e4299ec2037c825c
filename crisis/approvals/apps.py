from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "crisis.approvals"
    label = "crisis_approvals"
    verbose_name = _("Approval chains")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import system_lines  # noqa: F401  (registers this feature's timeline lines)
