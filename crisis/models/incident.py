from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organization import Organization
from .zones import default_time_zone, validate_time_zone


class Severity(models.IntegerChoices):
    SEV1 = 1, _("SEV1 – critical")
    SEV2 = 2, _("SEV2 – major")
    SEV3 = 3, _("SEV3 – moderate")
    SEV4 = 4, _("SEV4 – low")


class IncidentStatus(models.TextChoices):
    MONITORING = "monitoring", _("Monitoring")
    ACTIVE = "active", _("Active")
    CONTAINED = "contained", _("Contained")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    FALSE_ALARM = "false_alarm", _("False alarm")


S = IncidentStatus
# The lifecycle moves forward; an incident may flare up again (contained/resolved -> active)
# because a crisis that is declared over too early is exactly how old thorns come back.
INCIDENT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.MONITORING: frozenset({S.ACTIVE, S.CONTAINED, S.RESOLVED, S.FALSE_ALARM}),
    S.ACTIVE: frozenset({S.CONTAINED, S.RESOLVED}),
    S.CONTAINED: frozenset({S.ACTIVE, S.RESOLVED}),
    S.RESOLVED: frozenset({S.ACTIVE, S.CLOSED}),
    S.CLOSED: frozenset(),
    S.FALSE_ALARM: frozenset({S.MONITORING}),
}
OPEN_STATUSES = frozenset({S.MONITORING, S.ACTIVE, S.CONTAINED})


class Incident(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="incidents")
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, default=Severity.SEV3)
    status = models.CharField(_("status"), max_length=16, choices=IncidentStatus.choices, default=S.MONITORING)
    # The playbook clock starts here, not when somebody logged it: the public does not wait for us.
    first_public_signal_at = models.DateTimeField(_("first public signal at"))
    detected_at = models.DateTimeField(_("detected at"))
    # When somebody took ownership in the world (a call at 22:50), and when that was entered here.
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_recorded_at = models.DateTimeField(_("acknowledgement recorded at"), null=True, blank=True)
    contained_at = models.DateTimeField(_("contained at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="commanded_incidents", verbose_name=_("commander"),
    )
    spokesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="spokesperson_incidents", verbose_name=_("spokesperson"),
    )
    affected_channels = models.JSONField(_("affected channels"), default=list, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    # The playbook version this incident runs, and a copy of its steps as they were at opening:
    # editing the playbook later must not move this incident's deadlines.
    playbook = models.ForeignKey("Playbook", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    playbook_snapshot = models.JSONField(_("playbook snapshot"), default=list, blank=True)
    severity_suggestion = models.PositiveSmallIntegerField(
        _("suggested severity"), choices=Severity.choices, null=True, blank=True
    )
    related_incidents = models.ManyToManyField("self", blank=True, verbose_name=_("related incidents"))
    # Entered after the fact (already resolved, or its signal older than the organization's
    # retrospective_after_seconds): its record is judged like any other, but it pages nobody.
    is_retrospective = models.BooleanField(_("retrospective"), default=False)
    # Bumped by every state change; compare-and-set updates filter on it.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-first_public_signal_at"]
        indexes = [models.Index(fields=["organization", "status"], name="incident_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(detected_at__gte=models.F("first_public_signal_at")),
                name="incident_detected_after_signal",
                violation_error_message=_("Detection cannot precede the first public signal."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_transition_to(self, status: str) -> bool:
        return status in INCIDENT_TRANSITIONS[IncidentStatus(self.status)]
