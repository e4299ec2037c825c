from .append_only import AppendOnlyError
from .audit import AuditEntry
from .channels import Channel
from .incident import INCIDENT_TRANSITIONS, OPEN_STATUSES, Incident, IncidentStatus, Severity
from .organization import Membership, Organization, Role, role_at_least
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
    "AppendOnlyError", "AuditEntry", "CHANNEL_CHARACTER_LIMITS", "Channel", "EventKind", "INCIDENT_TRANSITIONS",
    "Incident", "IncidentStatus", "Membership", "OPEN_STATUSES", "Organization", "Role", "SentimentCheckpoint",
    "Severity", "Statement", "StatementApproval", "StatementKind", "StatementLanguage", "StatementStatus",
    "StatementVersion", "TimelineEvent", "role_at_least",
]
