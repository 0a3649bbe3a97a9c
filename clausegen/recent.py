"""A bounded memory of recent results, the least recently used dropped first (nearly: see Recent).

A batch reuses what many deals share (a clause rendered for the same values, a
selection, a numbered paragraph); each deal's own results are never asked for
again.  A bound keeps a long batch's memory flat.
"""

from __future__ import annotations

from typing import Generic, Hashable, TypeVar

Value = TypeVar("Value")


class Recent(Generic[Value]):
    """At most ``size`` entries; when full, the one least recently put or moved is dropped.  A hit moves an
    entry to the most recent end only once more than ``size // 4`` entries were put or moved since it was: a
    hit on a younger one is a single look-up, where moving it on every hit took a removal and an insertion,
    each hashing the key again (most keys are tuples, whose hash is not kept).  An entry asked for at least
    once in every ``size // 2`` entries put or moved is never dropped (it is at most ``3 * size // 4`` old
    when asked, and moved then unless younger than a quarter)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[Hashable, tuple[int, Value]] = {}  # insertion order is the order put or moved
        self._clock = 0  # entries put or moved so far

    def get(self, key: Hashable) -> Value | None:
        found = self._entries.get(key)
        if found is None:
            return None
        stamp, value = found
        if self._clock - stamp > self.size // 4:
            self._clock += 1
            self._entries.pop(key, None)  # another thread (the web server's) may have dropped it meanwhile
            self._entries[key] = (self._clock, value)
        return value

    def put(self, key: Hashable, value: Value) -> Value:
        if len(self._entries) >= self.size:
            try:
                del self._entries[next(iter(self._entries))]
            except (KeyError, RuntimeError, StopIteration):
                pass  # another thread changed the memory meanwhile: only housekeeping lost
        self._clock += 1
        self._entries[key] = (self._clock, value)
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
