"""What a Test Connection resource records, for the Dashboard's probe and for Entra's alike.

Both keep their inputs (the token as a secret output) plus `result`, `message` and `checked_at`;
a failed test raises instead, so `result` in state is always "passed".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pulumi

OUTCOME = ("result", "message", "checked_at")


def utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def passed(props: dict[str, Any], inputs: Iterable[str], message: str) -> dict[str, Any]:
    """The outputs of a test that passed: its inputs, carried over, and the outcome."""
    return {
        **{key: props.get(key) for key in inputs},
        "result": "passed",
        "message": message,
        "checked_at": utc_stamp(),
    }


def initial_props(args: Any, *extra_outputs: str) -> dict[str, Any]:
    """Resource props: the args (token made secret) and the outputs, seeded with None."""
    props = {**vars(args), "token": pulumi.Output.secret(args.token)}
    return props | dict.fromkeys((*OUTCOME, *extra_outputs))


def outcome_of(test: Any) -> pulumi.Output[dict[str, str]]:
    """`{result, message, checked_at}` of a Test Connection resource, as stack outputs show it."""
    parts = [getattr(test, key) for key in OUTCOME]
    return pulumi.Output.all(*parts).apply(lambda values: dict(zip(OUTCOME, values, strict=True)))
