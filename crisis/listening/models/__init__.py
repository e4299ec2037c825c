from .decisions import SentimentLevel, SuggestionDecision, SuggestionOutcome
from .thresholds import ListeningThresholds

__all__ = ["ListeningThresholds", "SentimentLevel", "SuggestionDecision", "SuggestionOutcome"]
