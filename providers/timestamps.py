"""When a resource last checked something, as its outputs record it (`checked_at`)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_stamp() -> str:
    """Now, in UTC, to the second: `2026-12-06T15:42:57Z`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
