from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommsConfig(AppConfig):
    """What the brand says and must not say during a crisis: the comms freeze, off-script posts logged as what
    they are, and first-hour statement templates. It plugs into the statements (a gate) and the room (panels);
    neither knows it exists."""

    name = "crisis.comms"
    label = "crisis_comms"
    verbose_name = _("Communications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import lines  # noqa: F401 (registers the feature's system lines)
        from .freeze_gate import freeze_gate_register
        from .panels import panels_register
        from .receivers import connect

        freeze_gate_register()
        panels_register()
        connect()
