from django.db import models
from django.utils.translation import gettext_lazy as _


class EngineHeartbeat(models.Model):
    """One row per running ``run_engine`` process, rewritten (at most once a second) after its sweeps.

    Who watches the watcher (crisis/health): the desk's banner, ``/readyz`` and the dead-man's switch all read the
    newest ``swept_at`` here; an engine that died stops moving it. ``swept_at`` is on the crisis clock
    (crisis.clock.now), like the due times the sweep compares it with.
    """

    name = models.CharField(_("engine"), max_length=200, unique=True)  # host:pid
    host = models.CharField(_("host"), max_length=200)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    swept_at = models.DateTimeField(_("last sweep at"))
    sweeps = models.PositiveBigIntegerField(_("sweeps"), default=0)
    # The longest sweep (one tick of the loop) since the previous heartbeat, in seconds.
    loop_seconds = models.FloatField(_("longest sweep (s)"), default=0.0)

    class Meta:
        verbose_name = _("engine heartbeat")
        verbose_name_plural = _("engine heartbeats")
        indexes = [
            # "When did any engine last sweep": Max(swept_at), read by every desk page (cached) and /readyz.
            models.Index(fields=["swept_at"], name="engine_heartbeat_swept"),
        ]

    def __str__(self) -> str:
        return f"{self.name} swept at {self.swept_at:%H:%M:%S}"
