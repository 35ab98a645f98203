"""Timestamps as the contract writes them: RFC 3339, UTC, whole seconds."""

from datetime import UTC, datetime


def utc_now() -> str:
    """Return the current time as `2026-11-28T15:38:02Z`."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
