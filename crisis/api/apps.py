from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisApiConfig(AppConfig):
    # A separate label keeps the API's own tables (tokens, idempotency, webhook secrets) in
    # their own migration history, so they never collide with the crisis app's migrations.
    name = "crisis.api"
    label = "crisis_api"
    verbose_name = _("Crisis API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crisis.timers.housekeeping import housekeeping_register

        from .housekeeping import api_records_purge

        housekeeping_register("api-records-purge", lambda *, now: api_records_purge())
