"""A clock for the HTTP transport's seam (`providers.http_transport.Clock`) that never waits out
a retry, a `Retry-After` or a deadline in real time.

Time moves only when the transport waits: a sleep between retries adds its seconds, and an attempt
the server has not answered within `answer_s` of real time is taken to have used all the time it
had left. Actions scheduled with `at` run once the clock passes their moment, so a test can make
a server change (a job Graph shows only after its lag) exactly when the client would have waited
long enough.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from providers.http_transport import Clock


class SteppedClock:
    def __init__(self, answer_s: float = 10.0) -> None:
        self.now_s = 0.0
        self.sleeps: list[float] = []
        """Every wait between tries the transport asked for, in order."""
        self._answer_s = answer_s
        self._scheduled: list[tuple[float, Callable[[], object]]] = []

    @property
    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep, wait=self.wait)

    def at(self, seconds: float, action: Callable[[], object]) -> None:
        """Run `action` once the clock reaches `seconds`."""
        self._scheduled.append((seconds, action))

    def now(self) -> float:
        return self.now_s

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._advance(seconds)

    def wait(self, done: threading.Event, seconds: float) -> bool:
        if done.wait(self._answer_s):
            return True
        self._advance(seconds)
        return False

    def _advance(self, seconds: float) -> None:
        self.now_s += seconds
        due = [entry for entry in self._scheduled if entry[0] <= self.now_s]
        self._scheduled = [entry for entry in self._scheduled if entry[0] > self.now_s]
        for _, action in due:
            action()
