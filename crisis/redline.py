"""A redline between two texts, for the API: a unified line diff and the character-level changes.

Two versions of one statement, or any two statements of an incident (the Weibo post against the WeChat
article): the same comparison. The desk's side-by-side rendering of it is crisis/web/diff.py.
"""

import difflib

# Character-level diffs read best for Chinese text, which has few line breaks, but SequenceMatcher is
# quadratic in the worst case: past this length only the line diff is computed.
CHARACTER_DIFF_LIMIT = 5_000


def text_redline(old: str, new: str, *, old_label: str, new_label: str) -> dict:
    unified = "".join(
        difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), old_label, new_label)
    )
    changes = []
    if max(len(old), len(new)) <= CHARACTER_DIFF_LIMIT:
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        changes = [
            {"op": op, "old": old[i1:i2], "new": new[j1:j2]}
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
        ]
    return {"unified": unified, "changes": changes}
