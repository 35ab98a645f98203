"""What a connection test (Entra's Test Connection) records: the Dashboard's probe and Entra's.

Both keep their inputs (the token as a secret output) plus `result`, `message` and `checked_at`;
a failed test raises instead, so `result` in state is always "passed".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pulumi

from providers.timestamps import utc_stamp

OUTCOME = ("result", "message", "checked_at")


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
