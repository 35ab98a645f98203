"""The steps of `scim-setup adopt` (`scim_setup.cli.adopt`): discover, verify, write, preview.

Reads the stack's config (`pulumi config --json`), discovers what exists (Dashboard admin API;
Graph when the stack names an `entra:application`), asks for the token saved when it was
generated (stdin, never the command line), proves it is the Dashboard's active token, stores it
with `pulumi config set --secret scim:existingToken` and the rest of the config for what exists,
prints what it found, then runs `pulumi preview` and says whether the first `pulumi up` is safe.
Exit codes: 0 safe, 1 not safe (or the token is not the active one), 2 nothing could be read.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

from providers.dashboard.client import DashboardError
from providers.dashboard.connection import DashboardConnection
from providers.dashboard.token_adoption import TokenNotActiveError
from providers.graph.client import GraphClient, GraphError
from providers.graph.connection import GraphConnection
from scim_setup.cli.adoption_discovery import (
    Discovery,
    adoption_config,
    adoption_warnings,
    application_lookup,
    discover_dashboard,
    discover_entra,
)
from scim_setup.cli.adoption_limits import AdoptionError
from scim_setup.cli.adoption_verdict import EXISTING_TOKEN_KEY, first_up_problems, safe_summary
from scim_setup.cli.preview_changes import Preview


class PulumiCommandFailed(Exception):
    """A `pulumi` command failed; the message is its last error line."""


class StackCommands:
    """The `pulumi` commands adoption runs, on one stack (and config file) in one directory."""

    def __init__(self, stack: str | None, config_file: Path | None, cwd: Path) -> None:
        pulumi = shutil.which("pulumi")
        if pulumi is None:
            raise PulumiCommandFailed("the pulumi CLI is not on PATH; install it or add it to PATH")
        self._pulumi = pulumi
        self._cwd = cwd
        self._scope = ["--stack", stack] if stack else []
        if config_file is not None:
            self._scope += ["--config-file", str(config_file)]

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        command = [self._pulumi, *args, *self._scope, "--non-interactive"]
        result = subprocess.run(
            command, cwd=self._cwd, input=stdin, capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            reason = lines[-1].removeprefix("error: ") if lines else f"exit {result.returncode}"
            raise PulumiCommandFailed(f"`pulumi {args[0]} {args[1]}` failed: {reason}")
        return result.stdout

    def config(self) -> dict[str, str]:
        """The stack config, secrets decrypted (they stay in this process)."""
        raw = json.loads(self.run("config", "--json", "--show-secrets") or "{}")
        return {key: str(item.get("value", "")) for key, item in raw.items()}

    def set_secret(self, key: str, value: str) -> None:
        self.run("config", "set", key, "--secret", stdin=value)

    def set_plain(self, values: dict[str, str]) -> None:
        pairs = [arg for key, value in values.items() for arg in ("--plaintext", f"{key}={value}")]
        self.run("config", "set-all", "--path", *pairs)

    def preview(self) -> Preview:
        out = self.run("preview", "--json", check=False)
        try:
            return Preview.from_json(json.loads(out))
        except (json.JSONDecodeError, KeyError, IndexError):
            raise PulumiCommandFailed("`pulumi preview --json` printed no preview") from None


def read_saved_token() -> str:
    """The saved token from stdin; a terminal gets a prompt that does not echo."""
    if sys.stdin.isatty():
        token = getpass.getpass("The SCIM token saved when it was generated (hidden): ")
    else:
        token = sys.stdin.readline()
    token = token.strip()
    if not token:
        raise AdoptionError(
            "no token on stdin; pipe the saved SCIM token in, e.g. "
            "`scim-setup adopt < saved-token.txt`"
        )
    return token


def discover(config: dict[str, str], token: str) -> Discovery:
    dashboard = DashboardConnection.from_config(config, os.environ)
    if problems := dashboard.problems():
        raise AdoptionError("; ".join(f"{key}: {why}" for key, why in problems.items()))
    settings, active = discover_dashboard(dashboard.client(), token)
    lookup = application_lookup(config)
    entra = None if lookup is None else discover_entra(_graph(config), lookup)
    return Discovery(settings, active, entra)


def _graph(config: dict[str, str]) -> GraphClient:
    return GraphConnection.from_config(config, os.environ).client()


def render(found: Discovery, written: dict[str, str], console: Console) -> None:
    table = Table(title="Found", show_header=True, header_style="bold")
    table.add_column("What")
    table.add_column("Found", overflow="fold")
    settings, token = found.settings, found.token
    table.add_row("Dashboard SCIM", "on" if settings.enabled else "off")
    table.add_row("Account size", f"{settings.account_size_gb} GB")
    table.add_row("Tenant URL", settings.tenant_url)
    made = f"{token.id}, made {token.created_at} ({token.label or 'by hand'})"
    table.add_row("Active token", made)
    table.add_row("Saved token", "verified: it is the active token")
    entra = found.entra
    if entra is None:
        table.add_row("Entra", "not in this stack (Dashboard-only adoption)")
    else:
        sp = entra.service_principal
        table.add_row("Enterprise app", f"{sp.display_name} (client id {sp.app_id})")
        table.add_row("Service principal", sp.id)
        table.add_row("App registration", entra.application_object_id or "none in this tenant")
        job = entra.job
        table.add_row("Sync job", "none" if job is None else f"{job.id} ({job.schedule_state})")
        saved = ", ".join(sorted(entra.secrets)) or "none"
        table.add_row("Saved secrets", f"{saved} (the token is never shown)")
        groups = ", ".join(a.principal_id for a in entra.groups) or "none"
        table.add_row("Assigned groups", groups)
        if entra.users:
            table.add_row("Assigned users", f"{entra.users} (stay assigned; not managed here)")
    console.print(table)
    console.print("Stack config written:")
    console.print(f"  {EXISTING_TOKEN_KEY} = [secret]")
    for key, value in written.items():
        console.print(f"  {key} = {value}", markup=False)
    for warning in adoption_warnings(found):
        console.print(f"Warning: {warning}", markup=False)


def run_adoption(stack: str | None, config_file: Path | None, cwd: Path, preview: bool) -> None:
    """The whole `scim-setup adopt`; ends with `typer.Exit` carrying the exit code."""
    console = Console()
    try:
        commands = StackCommands(stack, config_file, cwd)
        config = commands.config()
        token = read_saved_token()
        found = discover(config, token)
        written = adoption_config(found, config)
    except (AdoptionError, TokenNotActiveError) as error:
        _fail(error, 1)
    except (DashboardError, GraphError, PulumiCommandFailed) as error:
        _fail(error, 2)
    try:
        commands.set_secret(EXISTING_TOKEN_KEY, token)
        commands.set_plain(written)
    except PulumiCommandFailed as error:
        _fail(error, 2)
    render(found, written, console)
    if preview:
        _judge(commands, found, console)


def _judge(commands: StackCommands, found: Discovery, console: Console) -> None:
    try:
        preview = commands.preview()
    except PulumiCommandFailed as error:
        _fail(error, 2)
    problems = first_up_problems(preview, found)
    if problems:
        console.print("[bold red]The first `pulumi up` is NOT safe:[/]")
        for problem in problems:
            console.print(f"  - {problem}", markup=False)
        raise typer.Exit(1)
    console.print("[green]The first `pulumi up` is safe:[/]")
    for line in safe_summary(preview, found):
        console.print(f"  - {line}", markup=False)


def _fail(error: Exception, code: int) -> NoReturn:
    typer.echo(f"scim-setup adopt: {error}", err=True)
    raise typer.Exit(code) from None
