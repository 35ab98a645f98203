"""The `scim-setup` command: one Typer app; each subcommand lives in its own module here.

Expected failures end with one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from typing import Annotated

import typer

from scim_setup.cli.adopt import adopt
from scim_setup.cli.fleet.command import fleet_app
from scim_setup.cli.provision_on_demand import provision_on_demand
from scim_setup.cli.review import review
from scim_setup.cli.status import status

app = typer.Typer(
    name="scim-setup",
    help="Operate Dashboard SCIM setups declared with the scim-setup Pulumi package.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


app.add_typer(fleet_app, name="fleet")


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # ~25 ms; only for --version

    try:
        return version("scim-setup")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"scim-setup {_package_version()}")
        raise typer.Exit()


@app.callback()
def root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Operate Dashboard SCIM setups declared with the scim-setup Pulumi package."""


app.command("adopt")(adopt)
app.command("review")(review)
app.command("status")(status)
app.command("provision-on-demand")(provision_on_demand)


def main() -> None:
    """Console-script entry point (`scim-setup` in pyproject.toml)."""
    app()
