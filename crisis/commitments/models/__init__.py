from .commitment import Audience, Commitment, CommitmentState

__all__ = ["Audience", "Commitment", "CommitmentState"]
