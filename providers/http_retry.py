"""The one retry policy of both HTTP clients here: the Dashboard admin API's and Microsoft Graph's.

A failed attempt is tried again at most `max_retries` times. A throttled or unavailable server's
`Retry-After` is honoured but capped, so a server asking for an hour cannot hold a run; otherwise
the wait doubles (0, 1, 2, 4 s, never above 8 s). No wait may pass the operation's deadline: the
caller gives up instead and says so. Which answers deserve another try is the caller's call
(`statuses`, plus a lost answer where resending is safe).
"""

from __future__ import annotations

from dataclasses import dataclass

BACKOFF_MAX_S = 8.0


@dataclass(frozen=True)
class RetryPolicy:
    statuses: frozenset[int]
    max_retries: int = 4
    retry_after_max_s: float = 30.0

    def wait(self, retries_done: int, retry_after: str | None) -> float:
        """Seconds before the next try after `retries_done` retries (`retry_after`: the header)."""
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            return min(asked, self.retry_after_max_s)
        return 0.0 if retries_done == 0 else min(2.0 ** (retries_done - 1), BACKOFF_MAX_S)


def retry_after_seconds(value: str | None) -> float | None:
    """A `Retry-After` header (seconds or an HTTP date) in seconds from now; None if absent/bad."""
    if not value:
        return None
    from urllib3.exceptions import InvalidHeader
    from urllib3.util.retry import Retry

    try:
        return max(Retry().parse_retry_after(value), 0.0)
    except InvalidHeader:
        return None
