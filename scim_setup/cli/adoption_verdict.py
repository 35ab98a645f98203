"""Whether the first `pulumi up` after adoption is safe, read from `pulumi preview --json`.

Safe means it keeps what works: the SCIM token is adopted, not generated or replaced (Entra's
saved token would die), and nothing that exists is created again (a second job, an assignment
Graph refuses with "Permission being assigned already exists", a second app). Creating our own
dynamic resources (settings, Test Connections, job status) and writing the synchronization secret
with the same tenant URL and token is expected.
"""

from __future__ import annotations

from scim_setup.cli.adoption_discovery import Discovery
from scim_setup.cli.preview_changes import (
    APPLICATION,
    APPLICATION_FROM_TEMPLATE,
    ASSIGNMENT,
    SCIM_TOKEN,
    SERVICE_PRINCIPAL,
    SYNC_JOB,
    Preview,
)

EXISTING_TOKEN_KEY = "scim:existingToken"
_NEW_APP_TYPES = (APPLICATION, APPLICATION_FROM_TEMPLATE, SERVICE_PRINCIPAL)


def first_up_problems(preview: Preview, found: Discovery) -> list[str]:
    """Why the first `up` would disturb the setup; empty when it is safe."""
    problems = [f"the preview failed: {error}" for error in preview.errors]
    adopting = EXISTING_TOKEN_KEY in preview.config
    for step in preview.steps:
        if step.type == SCIM_TOKEN:
            if step.op in ("replace", "delete") or (step.op == "create" and not adopting):
                problems.append(
                    f"the SCIM token would be {'generated' if step.op == 'create' else 'replaced'}"
                    ": the token Entra holds would stop working"
                )
        elif step.op == "create":
            problems += _duplicate(step.type, step.name, found)
    return problems


def _duplicate(resource_type: str, name: str, found: Discovery) -> list[str]:
    entra = found.entra
    if entra is None:
        return []
    if resource_type == SYNC_JOB and entra.job is not None:
        return [f"a second synchronization job would be created next to {entra.job.id}"]
    if resource_type == ASSIGNMENT:
        groups = [a.principal_id for a in entra.groups if name.endswith(a.principal_id)]
        return [
            f"group {group}'s assignment would be created again (Graph refuses it: "
            "Permission being assigned already exists)"
            for group in groups
        ]
    if resource_type in _NEW_APP_TYPES:
        return [f"a new app would be created instead of {entra.service_principal.display_name}"]
    return []


def safe_summary(preview: Preview, found: Discovery) -> list[str]:
    """What the first `up` does to what exists, in plain words (for a safe preview)."""
    imports = [step for step in preview.steps if step.op == "import"]
    lines = [f"keeps SCIM token {found.token.id} (adopted; nothing is generated)"]
    if imports:
        lines.append(f"imports {len(imports)} existing Entra object(s) instead of creating them")
    lines.append("marks the Dashboard's settings as this stack's")
    return lines
