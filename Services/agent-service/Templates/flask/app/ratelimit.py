"""Per-tenant rate limit: a fixed one-minute window, RATE_LIMIT_PER_MINUTE requests (0 = off).

The counters live in this process's memory: simple and dependency-free, exact for one process
(the Dockerfile runs one gunicorn worker with threads). With several processes or instances each
one counts on its own, so the effective limit is multiplied; move the counter to Redis
(``INCR`` + ``EXPIRE`` per ``tenant:window`` key) when you scale out.

Over the limit the API answers 429 RESOURCE_EXHAUSTED with ``Retry-After``; every API response
carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    @property
    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class FixedWindowLimiter:
    def __init__(self, limit: int, window_seconds: int = 60, clock=time.monotonic):
        self.limit, self.window, self._clock = limit, window_seconds, clock
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window number, count)

    def hit(self, key: str) -> Decision:
        now = self._clock()
        window = int(now // self.window)
        reset = max(1, int((window + 1) * self.window - now))
        with self._lock:
            current, count = self._counts.get(key, (window, 0))
            if current != window:
                count = 0
                if len(self._counts) > 10_000:  # forget tenants from past windows
                    self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
            count += 1
            self._counts[key] = (window, count)
        return Decision(count <= self.limit, self.limit, max(0, self.limit - count), reset)
