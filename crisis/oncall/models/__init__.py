from .breakers import BreakerState, ReceiverBreaker
from .calendars import CalendarSecret
from .contacts import ContactKind, ContactMethod, ContactPreference
from .deliveries import OPEN_DELIVERY_STATUSES, AttemptOutcome, Delivery, DeliveryAttempt, DeliveryStatus
from .escalation import EscalationLevel, EscalationPolicy, IncidentRole, TargetKind
from .pages import Page, PageSource, PageState
from .schedules import Override, Rotation, RotationMember, Schedule

__all__ = [
    "AttemptOutcome",
    "BreakerState",
    "CalendarSecret",
    "ContactKind",
    "ContactMethod",
    "ContactPreference",
    "Delivery",
    "DeliveryAttempt",
    "DeliveryStatus",
    "EscalationLevel",
    "EscalationPolicy",
    "IncidentRole",
    "OPEN_DELIVERY_STATUSES",
    "Override",
    "Page",
    "PageSource",
    "PageState",
    "ReceiverBreaker",
    "Rotation",
    "RotationMember",
    "Schedule",
    "TargetKind",
]
