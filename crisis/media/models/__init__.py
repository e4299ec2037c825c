from .briefings import Briefing
from .inquiries import Inquiry, InquiryState
from .stakeholders import Stakeholder, StakeholderChannel, StakeholderKind

__all__ = ["Briefing", "Inquiry", "InquiryState", "Stakeholder", "StakeholderChannel", "StakeholderKind"]
