"""Which stack manages the Dashboard's SCIM settings and token: the mark each write leaves.

A stack writes `pulumi:<org>/<project>/<stack>` as the settings' owner and the token's label, so a
second stack pointed at the same Dashboard is refused instead of flipping the first one's token
on every run.
"""

from __future__ import annotations

from typing import Any

import pulumi

from providers.dashboard.client import DashboardOwnershipError, ScimSettingsState

OWNER_PREFIX = "pulumi:"
TAKE_OVER_KEY = "scim:takeOver"
"""Take over a Dashboard another stack manages (the resources' `adopt` input, kept for state)."""
OLD_TAKE_OVER_KEY = "scim:adopt"
"""`scim:takeOver`'s name in 0.2, still read, with a warning; it may go in 1.0. Renamed because
`scim-setup adopt` and `scim:existingToken` adopt a token made by hand, which is another thing."""


def stack_owner() -> str:
    """This stack's mark on what it manages: `pulumi:<org>/<project>/<stack>` (no secret)."""
    organization = pulumi.get_organization() or "organization"
    return f"{OWNER_PREFIX}{organization}/{pulumi.get_project()}/{pulumi.get_stack()}"


def other_owner(state: ScimSettingsState, owner: str) -> str | None:
    """Another stack marked as managing this Dashboard's SCIM settings or token, or None.

    Unmarked settings and tokens (set up by hand in the UI) belong to no stack: they are drift this
    stack repairs. A mark of another stack means two stacks would flip each other on every run.
    """
    token_label = None if state.token is None else state.token.label
    for mark in (state.owner, token_label):
        if mark and mark.startswith(OWNER_PREFIX) and mark != owner:
            return mark
    return None


def ensure_owned(state: ScimSettingsState, props: dict[str, Any], what: str) -> None:
    """Fail, naming the other stack and the ways out, unless `adopt` (`scim:takeOver`) is set."""
    owner = str(props.get("owner") or "")
    other = other_owner(state, owner)
    if other is None or props.get("adopt"):
        return
    raise DashboardOwnershipError(
        f"The Dashboard's SCIM {what} is managed by another stack, {other}; this stack is "
        f"{owner}. Two stacks would overwrite each other on every run. Destroy it there (or "
        f"remove SCIM from that stack), or take it over here with "
        f"`pulumi config set {TAKE_OVER_KEY} true` for one `pulumi up`."
    )
