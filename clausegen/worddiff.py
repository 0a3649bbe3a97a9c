"""Word-level differences between two texts, and the alignment of two lists of rows.

Shared by :mod:`clausegen.redline` (which turns the differences into tracked changes) and
:mod:`clausegen.compare` (which names them in the summary), so that the redline and the
summary always tell the same story.

A text is cut into words, runs of spaces and single punctuation marks, and compared with
difflib (no dependency; see the README's "Comparing documents" for why not diff-match-patch
or python-redlines).  Offsets in the results are character offsets in the two texts.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|\s+|[^\w\s]")


@dataclass(frozen=True)
class Op:
    """One stretch of the comparison: ``old[o1:o2]`` is ``equal`` to, ``delete``d from, ``insert``ed as, or
    ``replace``d by ``new[n1:n2]``."""

    kind: str
    o1: int
    o2: int
    n1: int
    n2: int


def _cut(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def diff(old: str, new: str) -> list[Op]:
    """The word-level differences of ``new`` from ``old``, as consecutive :class:`Op` covering both texts.

    Two changes separated only by a space are one change: a reader sees «a b» → «c d», not «a» → «c» and
    «b» → «d».
    """
    if old == new:
        return [Op("equal", 0, len(old), 0, len(new))] if old else []
    a, b = _cut(old), _cut(new)
    matcher = difflib.SequenceMatcher(None, [t for t, _, _ in a], [t for t, _, _ in b], autojunk=False)
    raw = []
    for kind, i1, i2, j1, j2 in matcher.get_opcodes():
        o1 = a[i1][1] if i1 < len(a) else len(old)
        o2 = a[i2 - 1][2] if i2 > i1 else o1
        n1 = b[j1][1] if j1 < len(b) else len(new)
        n2 = b[j2 - 1][2] if j2 > j1 else n1
        raw.append(Op(kind, o1, o2, n1, n2))
    # A space between two changes belongs to the change; then neighbours of one class become one stretch.
    changed = [op.kind != "equal" or (0 < i < len(raw) - 1 and raw[i - 1].kind != "equal"
                                      and raw[i + 1].kind != "equal" and not old[op.o1:op.o2].strip())
               for i, op in enumerate(raw)]
    merged: list[Op] = []
    for op, change in zip(raw, changed, strict=True):
        kind = "change" if change else "equal"
        if merged and merged[-1].kind == kind:
            last = merged.pop()
            op = Op(kind, last.o1, op.o2, last.n1, op.n2)
        merged.append(Op(kind, op.o1, op.o2, op.n1, op.n2))
    return [_named(op) for op in merged]


def _named(op: Op) -> Op:
    if op.kind == "equal":
        return op
    kind = "insert" if op.o1 == op.o2 else "delete" if op.n1 == op.n2 else "replace"
    return Op(kind, op.o1, op.o2, op.n1, op.n2)


def describe(old: str, new: str, ops: list[Op] | None = None, limit: int = 5) -> str:
    """The changed words, quoted as written: «old» → «new», deleted «…», added «…»."""
    def quote(text: str) -> str:
        return "«" + " ".join(text.split()) + "»"

    changes = []
    for op in diff(old, new) if ops is None else ops:
        if not (old[op.o1:op.o2] + new[op.n1:op.n2]).strip():
            continue  # spacing: not a change of wording
        if op.kind == "replace":
            changes.append(f"{quote(old[op.o1:op.o2])} → {quote(new[op.n1:op.n2])}")
        elif op.kind == "delete":
            changes.append(f"deleted {quote(old[op.o1:op.o2])}")
        elif op.kind == "insert":
            changes.append(f"added {quote(new[op.n1:op.n2])}")
    if not changes:
        return "spacing or line breaks differ" if old != new else "no change"
    more = len(changes) - limit
    return "; ".join(changes[:limit]) + (f" and {more} more change{'s' if more > 1 else ''}" if more > 0 else "")


def words_changed(old: str, new: str) -> bool:
    """Whether ``new`` says something other than ``old`` (spacing alone is no change)."""
    return " ".join(old.split()) != " ".join(new.split())


def align(old: list[str], new: list[str]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Which items of ``new`` stand for which items of ``old``: (pairs, only in old, only in new).

    Equal items are matched by difflib; inside a changed stretch each new item takes the most similar old
    one, if they are at least half alike (a changed item), else it is an added item.
    """
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    pairs: list[tuple[int, int]] = []
    gone: list[int] = []
    added: list[int] = []
    for kind, o1, o2, n1, n2 in matcher.get_opcodes():
        if kind == "equal":
            pairs += [(o1 + k, n1 + k) for k in range(o2 - o1)]
        elif kind == "replace":
            used: set[int] = set()
            last = o1 - 1  # pairs stay in order, so that a redline can put a deleted row in its place
            for n in range(n1, n2):
                scores = [(difflib.SequenceMatcher(None, old[o], new[n], autojunk=False).ratio(), o)
                          for o in range(last + 1, o2)]
                best = max(scores, default=(0.0, -1))
                if best[0] >= 0.5:
                    used.add(best[1])
                    pairs.append((best[1], n))
                    last = best[1]
                else:
                    added.append(n)
            gone += [o for o in range(o1, o2) if o not in used]
        elif kind == "delete":
            gone += list(range(o1, o2))
        else:
            added += list(range(n1, n2))
    return sorted(pairs), sorted(gone), sorted(added)
