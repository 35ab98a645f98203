"""The fleet is the project's stacks: one per customer, each with its own `Pulumi.<customer>.yaml`.

Stacks come from the backend the operator is logged in to (`pulumi login`, `PULUMI_BACKEND_URL`);
the secrets provider's passphrase or key comes from the usual Pulumi environment variables.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from pulumi import automation as auto

AMBIENT_DASHBOARD_ENV = ("DASHBOARD_URL", "DASHBOARD_API_TOKEN")
"""Single-stack fallbacks: in a fleet they would send every customer to one Dashboard."""
HIDDEN_DASHBOARD_ENV: dict[str, str] = dict.fromkeys(AMBIENT_DASHBOARD_ENV, "")
"""What the fleet's Pulumi runs get instead: empty, which the program and providers read as unset,
so a customer without its own Dashboard fails rather than reaching somebody else's."""


class FleetError(Exception):
    """An expected failure of a fleet command, shown as one line."""


def fleet_workspace(project_dir: Path) -> auto.LocalWorkspace:
    """A workspace over the project directory (the one holding `Pulumi.yaml`)."""
    if not (project_dir / "Pulumi.yaml").is_file():
        raise FleetError(
            f"{project_dir} holds no Pulumi.yaml; run the command in the scim-setup project "
            "directory or pass --cwd"
        )
    if shutil.which("pulumi") is None:
        raise FleetError(
            "the Pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/install/) "
            'or, in this repository, PATH="$(scripts/install-pulumi):$PATH"'
        )
    try:
        command = auto.PulumiCommand()
    except Exception as error:
        raise FleetError(f"the Pulumi CLI cannot be used: {error}") from None
    return auto.LocalWorkspace(
        work_dir=str(project_dir), pulumi_command=command, env_vars=dict(HIDDEN_DASHBOARD_ENV)
    )


def ambient_dashboard_env() -> list[str]:
    """The names of DASHBOARD_URL/DASHBOARD_API_TOKEN that are set; the fleet's runs ignore them."""
    return [name for name in AMBIENT_DASHBOARD_ENV if os.environ.get(name)]


def parse_patterns(stacks: str | None) -> list[str]:
    """`--stacks 'eu-*,acme'` → ['eu-*', 'acme']; none means every stack."""
    return [p.strip() for p in (stacks or "*").split(",") if p.strip()] or ["*"]


def matches(name: str, patterns: Sequence[str]) -> bool:
    """Glob match on the stack name as listed, or its last part (`org/project/acme` → `acme`)."""
    short = name.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(short, p) for p in patterns)


def select_stacks(workspace: auto.LocalWorkspace, patterns: Sequence[str]) -> list[str]:
    """The names of the project's stacks matching any pattern, sorted; an error if none does."""
    try:
        names = sorted(s.name for s in workspace.list_stacks())
    except auto.CommandError as error:
        raise FleetError(f"`pulumi stack ls` failed: {last_line(str(error))}") from None
    selected = [n for n in names if matches(n, patterns)]
    if not selected:
        known = ", ".join(names) or "none"
        raise FleetError(
            f"no stack matches --stacks {','.join(patterns)!r} (stacks: {known}); "
            "add a customer with `scim-setup fleet add`"
        )
    return selected


def last_line(text: str) -> str:
    """The reason in a Pulumi CLI failure: its first `error:` line, else its last line.

    `CommandError` text is `code: N / stdout: … / stderr: …`; the labels are not reasons.
    """
    lines = [re.sub(r"^(stdout|stderr):\s*", "", line.strip()) for line in text.splitlines()]
    lines = [line for line in lines if line and not re.fullmatch(r"code: -?\d+", line)]
    for line in lines:
        if line.startswith("error: "):
            return line.removeprefix("error: ").strip()
    return lines[-1] if lines else text.strip()
