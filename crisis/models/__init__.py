from .append_only import AppendOnlyError
from .audit import AuditEntry
from .channels import Channel
from .deadline import (
    OUTLIVES_INCIDENT_KINDS,
    OWNED_KINDS,
    Breach,
    Deadline,
    DeadlineKind,
    DeadlineState,
    PassedOccurrences,
)
from .heartbeat import EngineHeartbeat
from .incident import INCIDENT_TRANSITIONS, OPEN_STATUSES, Incident, IncidentStatus, Severity
from .invitation import Invitation, InvitationStatus
from .organization import Membership, Organization, Role, role_at_least
from .playbook import GOLDEN_FOUR_HOURS, PUBLIC_CHANNELS, Playbook, PlaybookStep, RecurUntil, SatisfiedBy
from .sentiment import SentimentCheckpoint
from .statement import (
    CHANNEL_CHARACTER_LIMITS,
    Statement,
    StatementApproval,
    StatementKind,
    StatementLanguage,
    StatementStatus,
    StatementVersion,
)
from .timeline import EventKind, TimelineEvent

__all__ = [
    "AppendOnlyError",
    "AuditEntry",
    "Breach",
    "Deadline",
    "DeadlineKind",
    "OUTLIVES_INCIDENT_KINDS",
    "OWNED_KINDS",
    "DeadlineState",
    "GOLDEN_FOUR_HOURS",
    "PUBLIC_CHANNELS",
    "Playbook",
    "PlaybookStep",
    "RecurUntil",
    "SatisfiedBy",
    "CHANNEL_CHARACTER_LIMITS",
    "Channel",
    "EngineHeartbeat",
    "EventKind",
    "INCIDENT_TRANSITIONS",
    "Invitation",
    "InvitationStatus",
    "Incident",
    "IncidentStatus",
    "Membership",
    "OPEN_STATUSES",
    "Organization",
    "PassedOccurrences",
    "Role",
    "SentimentCheckpoint",
    "Severity",
    "Statement",
    "StatementApproval",
    "StatementKind",
    "StatementLanguage",
    "StatementStatus",
    "StatementVersion",
    "TimelineEvent",
    "role_at_least",
]
