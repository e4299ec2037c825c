from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactsConfig(AppConfig):
    name = "crisis.facts"
    label = "crisis_facts"
    verbose_name = _("Fact sheet")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The statement services and the room know nothing of the fact sheet: it plugs itself into both.
        from crisis.services.statement_gates import statement_gate_register
        from crisis.web.room_extensions import room_panel_register

        from .services.consistency import consistency_gate
        from .views.room import facts_room_panel

        statement_gate_register(consistency_gate())
        room_panel_register(facts_room_panel())
