"""One wording for a provisioning job's quarantine, wherever it is reported.

`up`'s failure under `entra:failWhenQuarantined` (`providers.graph.job_status`), the
`provisioning_attention` output (`providers.graph.job_control`) and `scim-setup status` all say
`(reason) since <when>; Entra tries again at <when>; <Graph's error>`, with the fields Graph returns
in the job's `status.quarantine` (`QuarantineInfo`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from providers.graph.client import QuarantineInfo


def quarantine_summary(
    quarantine: QuarantineInfo | Mapping[str, Any] | None,
    began: Callable[[str], str] = str,
) -> str:
    """`(reason) since …; Entra tries again at …; error`, one line without a final period.

    `quarantine` is Graph's, as read (`QuarantineInfo`) or as the job-status output holds it (a
    mapping of the same fields). `began` renders when the quarantine began (`status` says "3h ago").
    """
    if quarantine is None:
        fields: Mapping[str, Any] = {}
    elif isinstance(quarantine, Mapping):
        fields = quarantine
    else:
        fields = asdict(quarantine)
    reason = fields.get("reason") or "unknown reason"
    current_began = fields.get("current_began")
    since = f" since {began(str(current_began))}" if current_began else ""
    parts = [f"({reason}){since}"]
    if next_attempt := fields.get("next_attempt"):
        parts.append(f"Entra tries again at {next_attempt}")
    if error := " ".join(str(fields.get("error") or "").split()).rstrip("."):
        parts.append(error)
    return "; ".join(parts)
