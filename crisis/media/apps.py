from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "crisis.media"
    label = "crisis_media"
    verbose_name = _("Media and stakeholder desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisis.web.room_extensions import room_panel_register

        from . import lines  # noqa: F401 (registers this desk's system lines before any is read)
        from .room import inquiries_panel

        room_panel_register(inquiries_panel())
