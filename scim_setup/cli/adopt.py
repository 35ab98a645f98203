"""`scim-setup adopt`: take over a setup made by hand without interrupting provisioning.

The steps live in `scim_setup.cli.adoption_run`, imported when the command runs: they need the
Pulumi SDK and pydantic, which the other commands start without.
Exit codes: 0 the first `pulumi up` is safe, 1 it is not (or the saved token is not the active
one), 2 the stack, the Dashboard or Graph could not be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def adopt(
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="Stack to adopt into (default: selected).")
    ] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config-file", help="The stack's config file.")
    ] = None,
    cwd: Annotated[Path, typer.Option("--cwd", "-C", help="The Pulumi project directory.")] = Path(
        "."
    ),
    no_preview: Annotated[
        bool, typer.Option("--no-preview", help="Write the config only; skip `pulumi preview`.")
    ] = False,
) -> None:
    """Adopt a Dashboard (and Entra app) set up by hand; the saved token is read from stdin."""
    from scim_setup.cli.adoption_run import run_adoption

    run_adoption(stack, config_file, cwd, preview=not no_preview)
