from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "crisis.commitments"
    label = "crisis_commitments"
    verbose_name = _("Public commitments")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisis.services.statement_gates import statement_gate_register, statement_published, statement_retracted
        from crisis.web.room_extensions import room_panel_register

        from .gate import promises_gate
        from .panel import commitments_panel
        from .services.keeping import commitments_withdraw_retracted
        from .services.publication import commitments_track_published

        statement_published.connect(commitments_track_published, dispatch_uid="commitments_track_published")
        statement_retracted.connect(commitments_withdraw_retracted, dispatch_uid="commitments_withdraw_retracted")
        room_panel_register(commitments_panel())
        statement_gate_register(promises_gate())
