"""Where a text says something other than what the brand already said: the rule, kept readable.

For every fact in a reference text (a fact on the sheet, a statement published on another channel), the
draft's facts of the same kind about the same subject are its candidates:
- none: the draft does not speak of it, nothing to say;
- one of them has the same value: the draft agrees (it may add other times for other things);
- otherwise: a conflict, shown with the closest candidate beside the reference.

Same subject means the same kind (and, for a count, the same unit) and subject tokens that overlap by at
least half (Jaccard). A mention without subject tokens ("12:00" alone) is compared with nothing, except a
count, whose unit already says what is counted.
"""

from dataclasses import dataclass

from .extraction import COUNT, Mention, mentions_extract

SAME_SUBJECT = 0.5


@dataclass(frozen=True)
class Reference:
    """A text the draft must agree with, and how to name it to people."""

    source: str  # "fact" | "statement"
    source_id: int
    label: str  # "Weibo", "Fact sheet"
    text: str


@dataclass(frozen=True)
class Conflict:
    reference: Reference
    theirs: Mention
    ours: Mention

    def as_dict(self) -> dict:
        return {
            "kind": self.theirs.kind,
            "source": self.reference.source,
            "source_id": self.reference.source_id,
            "source_label": self.reference.label,
            "theirs": {"value": self.theirs.value, "shown": self.theirs.shown, "excerpt": self.theirs.excerpt},
            "ours": {"value": self.ours.value, "shown": self.ours.shown, "excerpt": self.ours.excerpt},
        }


def similarity(a: Mention, b: Mention) -> float:
    if a.kind != b.kind or a.unit != b.unit:
        return 0.0
    if not a.subject or not b.subject:
        return 1.0 if a.kind == COUNT else 0.0
    return len(a.subject & b.subject) / len(a.subject | b.subject)


def conflicts_find(draft: str, references: list[Reference]) -> list[Conflict]:
    ours = mentions_extract(draft)
    if not ours:
        return []
    found: list[Conflict] = []
    seen: set[tuple] = set()
    for reference in references:
        for theirs in mentions_extract(reference.text):
            scored = [(similarity(theirs, mine), mine) for mine in ours]
            candidates = [(score, mine) for score, mine in scored if score >= SAME_SUBJECT]
            if not candidates or any(mine.agrees_with(theirs) for _score, mine in candidates):
                continue
            closest = max(candidates, key=lambda pair: pair[0])[1]
            key = (reference.source, reference.source_id, theirs.kind, theirs.value, closest.value)
            if key not in seen:
                seen.add(key)
                found.append(Conflict(reference=reference, theirs=theirs, ours=closest))
    return found
