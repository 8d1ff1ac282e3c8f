"""How fast one session, and one workshop, may add enjeux (issue #18: 50 enjeux in 8.5 s from one
session pushed everyone else off the projector).

Counted in the server process by the page (not by the store, whose API also serves scripts, imports
and the benchmarks): a participant types an enjeu in a minute, a room of 30 rarely saves 60 a minute.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

__all__ = ["PER_SESSION", "PER_WORKSHOP", "WINDOW", "RateLimit"]

WINDOW = 60.0
PER_SESSION = 6
PER_WORKSHOP = 90


class RateLimit:
    """At most `limit` events per `window` seconds for each key (sliding window, thread-safe)."""

    def __init__(self, limit: int, window: float = WINDOW, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window = limit, window
        self._clock = clock
        self._lock = threading.Lock()
        self._events: dict[Hashable, deque[float]] = {}

    def wait(self, key: Hashable) -> float:
        """Seconds before `key` may act again (0 when it may act now)."""
        with self._lock:
            events = self._recent(key, self._clock())
            return 0.0 if len(events) < self.limit else events[0] + self.window - self._clock()

    def hit(self, key: Hashable) -> float:
        """Record one event for `key` if allowed and return 0; else the seconds to wait (nothing recorded)."""
        with self._lock:
            now = self._clock()
            events = self._recent(key, now)
            if len(events) >= self.limit:
                return events[0] + self.window - now
            events.append(now)
            return 0.0

    def _recent(self, key: Hashable, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events
