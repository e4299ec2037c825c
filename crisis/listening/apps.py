from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListeningConfig(AppConfig):
    name = "crisis.listening"
    label = "crisis_listening"
    verbose_name = _("Sentiment levels and baseline")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisis.oncall.sentiment_levels import sentiment_level_provider_register

        from . import lines  # noqa: F401  (registers this feature's system lines)
        from .panels import panels_register
        from .selectors import sentiment_level_number

        panels_register()
        sentiment_level_provider_register(sentiment_level_number)
