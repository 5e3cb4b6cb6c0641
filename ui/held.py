"""Full-size pixels held for the download buttons of live tabs, within one byte budget (issue 9).

A download button encodes its PNG only on click, from the panel's full-size pixels. Those are
normally kept by the view caches of ``ui.compute``; when a cache drops a view (thirty tabs each
on its own upload, three sheets cached), the tab still showing it needs the pixels for its
buttons. This module keeps them per tab (session id -> button key -> pixels):

* a tab's entries go when the tab is closed (``ui.sessions`` calls :func:`forget`), so a
  closed tab holds nothing after its grace period;
* all tabs together hold at most ``LAYERLAB_CACHE_MB`` megabytes (default 256; an array
  shared by several tabs is counted once per tab), the tab that drew buttons least recently
  dropped first. Its buttons then fall back to the picture shown (``ui.panels``).

May import: nothing from ui/ or streamlit.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict

import numpy as np

__all__ = ["env_megabytes", "Held", "held", "DEFAULT_BUDGET_MB", "budget_bytes"]

#: Default of LAYERLAB_CACHE_MB.
DEFAULT_BUDGET_MB = 256


def budget_bytes(environ=os.environ) -> int:
    """LAYERLAB_CACHE_MB in bytes. Raises ValueError naming the variable when not a number > 0."""
    return int(env_megabytes("LAYERLAB_CACHE_MB", DEFAULT_BUDGET_MB, environ) * 1e6)


def env_megabytes(name: str, default: float, environ=os.environ) -> float:
    """The positive number of MB in ``environ[name]`` (``default`` when unset).

    Raises ValueError naming the variable and what it held when it is not a number > 0.
    """
    raw = environ.get(name, "").strip()
    try:
        mb = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number of MB, got {raw!r}") from None
    if mb <= 0:
        raise ValueError(f"{name} must be > 0, got {raw!r}")
    return mb


class Held:
    """Pixels per (session, button key), at most ``max_bytes`` in all, least recent session first.

    ``keep(session_id, key, pixels)``, ``forget(session_id)``, ``nbytes``, ``sessions``.
    Raises ValueError for ``max_bytes`` < 1.
    """

    def __init__(self, max_bytes: int):
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be >= 1, got {max_bytes}")
        self.max_bytes = int(max_bytes)
        self._by_session: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return self._bytes

    @property
    def sessions(self) -> int:
        return len(self._by_session)

    def keep(self, session_id: str, key: str, pixels: np.ndarray) -> None:
        """Hold ``pixels`` for button ``key`` of ``session_id`` (replacing what that button held)."""
        with self._lock:
            entries = self._by_session.setdefault(session_id, {})
            self._by_session.move_to_end(session_id)
            old = entries.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            entries[key] = pixels
            self._bytes += pixels.nbytes
            while self._bytes > self.max_bytes and len(self._by_session) > 1:
                oldest, dropped = next(iter(self._by_session.items()))
                if oldest == session_id:
                    break
                del self._by_session[oldest]
                self._bytes -= sum(a.nbytes for a in dropped.values())

    def forget(self, session_id: str) -> None:
        """Drop everything held for ``session_id`` (its tab was closed)."""
        with self._lock:
            dropped = self._by_session.pop(session_id, None)
            if dropped:
                self._bytes -= sum(a.nbytes for a in dropped.values())


_held: dict[str, Held] = {}
_held_lock = threading.Lock()


def held() -> Held:
    """The server process's :class:`Held` (budget from LAYERLAB_CACHE_MB, read on first use)."""
    with _held_lock:
        if "held" not in _held:
            _held["held"] = Held(budget_bytes())
        return _held["held"]
