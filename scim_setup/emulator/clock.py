"""Timestamps as the contract writes them: RFC 3339, UTC, whole seconds."""

import time

_last: tuple[int, str] = (-1, "")


def utc_now() -> str:
    """Return the current time as `2026-11-28T15:38:02Z`.

    Formatted once per second: every SCIM request asks (the token's last use).
    """
    global _last
    second = int(time.time())
    if second != _last[0]:
        _last = (second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
    return _last[1]
