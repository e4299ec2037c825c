"""Side-by-side differences between two statement versions, down to the character.

Chinese statements are often one long line, so a line diff alone would mark the whole
text as changed; changed lines are compared again character by character.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class DiffRow:
    left: SafeString
    right: SafeString
    change: str  # equal | replace | delete | insert


def _marked(a: str, b: str) -> tuple[SafeString, SafeString]:
    left, right = [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(escape(a[i1:i2]))
            right.append(escape(b[j1:j2]))
            continue
        if i2 > i1:
            left.append(f"<del>{escape(a[i1:i2])}</del>")
        if j2 > j1:
            right.append(f"<ins>{escape(b[j1:j2])}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 (every piece escaped above)


def side_by_side(old: str, new: str) -> list[DiffRow]:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            rows.extend(DiffRow(escape(line), escape(line), "equal") for line in old_lines[i1:i2])
            continue
        left, right = old_lines[i1:i2], new_lines[j1:j2]
        for index in range(max(len(left), len(right))):
            a = left[index] if index < len(left) else None
            b = right[index] if index < len(right) else None
            if a is not None and b is not None:
                rows.append(DiffRow(*_marked(a, b), "replace"))
            elif a is not None:
                rows.append(DiffRow(mark_safe(f"<del>{escape(a)}</del>"), mark_safe(""), "delete"))  # noqa: S308
            else:
                rows.append(DiffRow(mark_safe(""), mark_safe(f"<ins>{escape(b)}</ins>"), "insert"))  # noqa: S308
    return rows
