"""Timestamps as the contract writes them: RFC 3339, UTC, whole seconds."""

import time


def utc_now() -> str:
    """Return the current time as `2026-11-28T15:38:02Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
