"""One small bounded, thread-safe cache for the engine's own memo tables.

The engine keeps a few things between calls that are expensive to rebuild and cheap to hold:
traced TensorFlow graphs per layer configuration, loaded models, gradient-ascent steps. Each
lives in a :class:`BoundedCache`: least recently used entries are dropped first once the
entry count (and, when given, the byte estimate) passes its bound. Streamlit-level caching of
results for the pages is a different layer and lives in ``ui/`` (see docs/architecture.md).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

__all__ = ["BoundedCache"]


class BoundedCache:
    """Least-recently-used memo table with an entry bound and an optional byte bound.

    ``BoundedCache(max_entries, *, max_bytes=None, size_of=None)``: ``size_of(value) -> int``
    estimates an entry's bytes (needed with ``max_bytes``). ``get_or_make(key, make)`` returns
    the cached value or calls ``make()`` once and keeps its result; concurrent callers of one
    key may both build it (the first stored wins), which keeps the lock short. Raises
    ValueError for a bound below 1.
    """

    def __init__(self, max_entries: int, *, max_bytes: int | None = None,
                 size_of: Callable[[Any], int] | None = None):
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        if max_bytes is not None and (max_bytes < 1 or size_of is None):
            raise ValueError(f"max_bytes needs a positive bound and size_of, got {max_bytes}")
        self.max_entries = int(max_entries)
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    @property
    def nbytes(self) -> int:
        """Estimated bytes held (0 when no ``size_of`` was given)."""
        return self._bytes

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value for ``key`` (marked as recently used), or ``default``."""
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return default
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: Hashable, value: Any) -> Any:
        """Store ``value`` (an existing entry for ``key`` wins) and return what is stored."""
        size = int(self._size_of(value)) if self._size_of else 0
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit[0]
            self._items[key] = (value, size)
            self._bytes += size
            while len(self._items) > self.max_entries or (
                    self.max_bytes is not None and self._bytes > self.max_bytes and len(self._items) > 1):
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
            return value

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The cached value for ``key``, or ``make()``'s result, stored."""
        sentinel = _MISSING
        value = self.get(key, sentinel)
        if value is not sentinel:
            return value
        return self.put(key, make())

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._items.clear()
            self._bytes = 0


_MISSING = object()
