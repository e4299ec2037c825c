from .chain import ApprovalChain
from .review import ReviewState, StatementReview, StatementReviewStep

__all__ = ["ApprovalChain", "ReviewState", "StatementReview", "StatementReviewStep"]
