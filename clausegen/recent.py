"""A bounded memory of recent results, the least recently used dropped first.

A batch reuses what many deals share (a clause rendered for the same values, a
selection, a numbered paragraph); each deal's own results are never asked for
again.  A bound keeps a long batch's memory flat.
"""

from __future__ import annotations

from typing import Generic, Hashable, TypeVar

Value = TypeVar("Value")


class Recent(Generic[Value]):
    """At most ``size`` entries; a hit makes an entry the most recent."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[Hashable, Value] = {}  # insertion order is recency order

    def get(self, key: Hashable) -> Value | None:
        found = self._entries.pop(key, None)
        if found is not None:
            self._entries[key] = found
        return found

    def put(self, key: Hashable, value: Value) -> Value:
        if len(self._entries) >= self.size:
            try:
                del self._entries[next(iter(self._entries))]
            except (KeyError, RuntimeError, StopIteration):
                pass  # another thread (the web server's) changed the memory meanwhile: only housekeeping lost
        self._entries[key] = value
        return value

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
