"""Reads the comms pages, the API, the statement gate and the room share."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from crisis.models import OPEN_STATUSES, Deadline, DeadlineKind, DeadlineState, Incident, Organization, Severity

from .models import FreezeEntry, FreezePolicy, StatementTemplate

DEFAULT_THRESHOLD = Severity.SEV2


@dataclass
class FreezeState:
    """The organization's freeze list and whether it is frozen now, because of which open incidents."""

    threshold: int = DEFAULT_THRESHOLD
    version: int = 0  # 0: never edited (no policy row yet)
    entries: list[FreezeEntry] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)

    @property
    def is_in_effect(self) -> bool:
        return bool(self.entries) and bool(self.incidents)

    @property
    def frozen_channels(self) -> set[str]:
        return {entry.channel for entry in self.entries if entry.channel}

    def entries_for(self, channel: str) -> list[FreezeEntry]:
        return [entry for entry in self.entries if entry.channel == channel]


def freeze_state(*, organization_id: int, for_banner: bool = False) -> FreezeState:
    """``for_banner``: only whether it is in effect and what is frozen, in one query when nothing is listed (the
    room and the dashboard ask on every view; most organizations never list anything)."""
    entries = list(FreezeEntry.objects.filter(organization_id=organization_id))
    if for_banner and not entries:
        return FreezeState()
    policy = FreezePolicy.objects.filter(organization_id=organization_id).first()
    threshold = policy.severity_threshold if policy else DEFAULT_THRESHOLD
    incidents = list(qualifying_incidents(organization_id=organization_id, threshold=threshold)) if entries else []
    return FreezeState(threshold=threshold, version=policy.version if policy else 0, entries=entries,
                       incidents=incidents)


def qualifying_incidents(*, organization_id: int, threshold: int) -> QuerySet[Incident]:
    # Severity 1 is the worst, so "at the threshold or worse" is a severity number at most the threshold.
    return (Incident.objects.filter(organization_id=organization_id, status__in=OPEN_STATUSES, severity__lte=threshold)
            .only("id", "title", "severity", "status", "organization_id").order_by("severity", "id"))


def statement_templates(*, organization: Organization) -> QuerySet[StatementTemplate]:
    return StatementTemplate.objects.filter(organization=organization)


def templates_for_incident(*, incident: Incident) -> list[StatementTemplate]:
    """The organization's templates an incident can start from: those whose type is one of the incident's tags
    first, then the general ones; a general template a typed one of the same kind and language replaces is left
    out, so the room offers one button per kind and language."""
    tags = {str(tag).strip().lower() for tag in incident.tags or [] if str(tag).strip()}
    chosen: dict[tuple[str, str], StatementTemplate] = {}
    for template in StatementTemplate.objects.filter(organization_id=incident.organization_id).order_by(
            "kind", "language", "id"):
        if template.incident_type and template.incident_type.lower() not in tags:
            continue
        key = (template.kind, template.language)
        if key not in chosen or (template.incident_type and not chosen[key].incident_type):
            chosen[key] = template
    return sorted(chosen.values(), key=lambda t: (t.kind, t.language))


def next_update_deadline(*, incident: Incident, after) -> Deadline | None:
    """The next pending playbook or surge deadline a public update meets (the one a template promises)."""
    from crisis.playbooks.steps import step_accepts_statement, step_for

    pending = Deadline.objects.filter(incident=incident, state=DeadlineState.PENDING, due_at__gt=after,
                                      kind__in=(DeadlineKind.PLAYBOOK, DeadlineKind.SURGE)).order_by("due_at", "id")
    for deadline in pending:
        step = step_for(incident, deadline)
        if step is not None and step_accepts_statement(step, kind="update", channel="weibo"):
            return deadline
    return None
