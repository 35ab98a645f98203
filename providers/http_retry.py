"""urllib3 retries the way this package wants them: bounded, and honouring `Retry-After`.

`requests` retries through urllib3's `Retry`; this adds a cap on any one `Retry-After` wait, so a
server asking for an hour cannot push a run past its deadline.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from urllib3.util.retry import Retry


class CappedRetry(Retry):
    """Honour Retry-After, but never wait longer than `retry_after_max` for one retry."""

    retry_after_max: float = 30.0

    def new(self, **kw: Any) -> CappedRetry:
        """urllib3 makes a new object per attempt; the cap must come along."""
        retry = super().new(**kw)
        retry.retry_after_max = self.retry_after_max
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        retry_after = super().get_retry_after(response)
        return None if retry_after is None else min(retry_after, self.retry_after_max)


def retry_policy(
    attempts: int, statuses: Iterable[int], methods: Iterable[str], retry_after_max: float
) -> Retry:
    """Retry connection, read and `statuses` failures of `methods` up to `attempts` times."""
    policy = CappedRetry(
        total=attempts,
        connect=attempts,
        read=attempts,
        status=attempts,
        other=0,
        backoff_factor=0.5,
        backoff_max=8.0,
        status_forcelist=tuple(statuses),
        allowed_methods=frozenset(methods),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    policy.retry_after_max = retry_after_max
    return policy
