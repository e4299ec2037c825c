"""The built-in "Golden 4 Hours" playbook. docs/playbook.md explains the reasoning behind each step."""

from django.db import transaction
from django.utils.translation import gettext_noop

from crisis.models import (
    GOLDEN_FOUR_HOURS,
    PUBLIC_CHANNELS,
    Channel,
    Organization,
    Playbook,
    PlaybookStep,
    RecurUntil,
    Role,
    SatisfiedBy,
    StatementKind,
)

MIN = 60
HOUR = 3600
PUBLIC_KINDS = [StatementKind.HOLDING, StatementKind.FULL, StatementKind.UPDATE, StatementKind.APOLOGY,
                StatementKind.CORRECTION]

# Names are stored in English (gettext_noop) and translated when shown.
STEPS = [
    dict(key="acknowledge", name=gettext_noop("Acknowledge and assemble the response team"),
         satisfied_by=SatisfiedBy.ACKNOWLEDGED, offset_seconds=15 * MIN, severity_offsets={"1": 450},
         responsible_role=Role.COMMANDER, warn_before_seconds=5 * MIN),
    dict(key="sentiment-baseline", name=gettext_noop("Baseline sentiment checkpoint"),
         satisfied_by=SatisfiedBy.CHECKPOINT_RECORDED, offset_seconds=30 * MIN, severity_offsets={"1": 15 * MIN},
         responsible_role=Role.RESPONDER, warn_before_seconds=10 * MIN),
    dict(key="holding-statement", name=gettext_noop("Holding statement published"),
         satisfied_by=SatisfiedBy.STATEMENT_PUBLISHED, statement_kinds=PUBLIC_KINDS, channel=PUBLIC_CHANNELS,
         offset_seconds=HOUR, severity_offsets={"1": 30 * MIN}, responsible_role=Role.COMMANDER,
         warn_before_seconds=15 * MIN),
    dict(key="stakeholder-briefing", name=gettext_noop("Stakeholder briefing (internal statement)"),
         satisfied_by=SatisfiedBy.STATEMENT_PUBLISHED, statement_kinds=[StatementKind.INTERNAL_BRIEFING],
         channel=Channel.INTERNAL, offset_seconds=2 * HOUR, severity_offsets={"1": HOUR},
         responsible_role=Role.COMMANDER, warn_before_seconds=15 * MIN),
    dict(key="full-statement", name=gettext_noop("Full statement with facts, cause and actions"),
         satisfied_by=SatisfiedBy.STATEMENT_PUBLISHED, statement_kinds=[StatementKind.FULL], channel=PUBLIC_CHANNELS,
         offset_seconds=4 * HOUR, responsible_role=Role.COMMANDER, warn_before_seconds=30 * MIN),
    dict(key="sentiment-cadence", name=gettext_noop("Sentiment checkpoint every 30 minutes (first 4 hours)"),
         satisfied_by=SatisfiedBy.CHECKPOINT_RECORDED, offset_seconds=HOUR, recurrence_seconds=30 * MIN,
         recur_until=RecurUntil.OFFSET, recur_until_seconds=4 * HOUR, responsible_role=Role.RESPONDER,
         warn_before_seconds=10 * MIN),
    dict(key="public-update", name=gettext_noop("Public update every 4 hours until resolved"),
         satisfied_by=SatisfiedBy.STATEMENT_PUBLISHED, statement_kinds=PUBLIC_KINDS, channel=PUBLIC_CHANNELS,
         offset_seconds=8 * HOUR, recurrence_seconds=4 * HOUR, recur_until=RecurUntil.RESOLVED,
         responsible_role=Role.COMMANDER, warn_before_seconds=30 * MIN),
    dict(key="follow-up-report", name=gettext_noop("Follow-up report (24 hours)"), satisfied_by=SatisfiedBy.MANUAL,
         offset_seconds=24 * HOUR, responsible_role=Role.COMMANDER, warn_before_seconds=2 * HOUR),
]


@transaction.atomic
def playbook_install_default(*, organization: Organization) -> Playbook:
    """Give the organization its own editable copy of the Golden 4 Hours, once."""
    existing = Playbook.objects.filter(organization=organization, key=GOLDEN_FOUR_HOURS).order_by("-version").first()
    if existing:
        return existing
    playbook = Playbook.objects.create(
        organization=organization, key=GOLDEN_FOUR_HOURS, name="Golden 4 Hours", version=1,
        description="Acknowledge in 15 min, baseline in 30, holding statement in 1 h, briefing in 2 h, "
                    "full statement in 4 h; sentiment every 30 min, public updates every 4 h until resolved.",
    )
    PlaybookStep.objects.bulk_create(
        PlaybookStep(playbook=playbook, position=position, **step) for position, step in enumerate(STEPS)
    )
    return playbook
