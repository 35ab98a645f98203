"""The preview's plain-words notice that this run will generate a new SCIM token.

Generating a token kills the Dashboard's current one at once. For a setup made by hand that is the
token Entra holds, so the first `pulumi up` without `scim:existingToken` would stop provisioning:
in a stack with the Entra step only until the same run saves the new token in Entra, in a
Dashboard-only stack until someone pastes it there. The notice says so before anything happens.
A token that `preview` does not know yet (its id is unknown) is one the run will generate.
"""

from __future__ import annotations

from typing import Any

import pulumi

from providers.configured_provider import is_known
from providers.dashboard.token_adoption import EXISTING_TOKEN_KEY

GENERATED = (
    f"scim:existingToken is not set, so this run generates a new SCIM token: the Dashboard's "
    f"current token, if it has one, stops working at once. If the Dashboard was set up by hand, "
    f"keep the token Entra holds by saving it with `pulumi config set --secret "
    f"{EXISTING_TOKEN_KEY}` (or `scim-setup adopt`) before `pulumi up`."
)
DASHBOARD_ONLY = (
    " This stack has no entra section, so nothing gives the new token to Entra: provisioning fails "
    "until someone pastes it (`pulumi stack output token --show-secrets`) as the Secret Token on "
    "the enterprise app's Provisioning page."
)
WITH_ENTRA = " Entra's provisioning secret receives the new token in the same run."


def notice_if_generated(
    token_id: pulumi.Output[str], entra_receives_token: bool, parent: pulumi.Resource
) -> None:
    """Warn during `preview` when the token will be generated (created or replaced)."""
    if not pulumi.runtime.is_dry_run():
        return
    message = GENERATED + (WITH_ENTRA if entra_receives_token else DASHBOARD_ONLY)

    def warn(value: Any) -> None:
        if not is_known(value):
            pulumi.log.warn(message, resource=parent)

    token_id.apply(warn, run_with_unknowns=True)
