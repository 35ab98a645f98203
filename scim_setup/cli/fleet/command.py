"""`scim-setup fleet`: every customer is a stack of this project; run a command on all of them.

Exit codes: 0 all ok, 1 a customer failed (or the command could not start), 2 bad usage,
3 `preview` found changes and nothing failed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from scim_setup.cpus import usable_cpus

# The modules below import the Pulumi SDK (~0.3 s of CPU) or pydantic (the report, ~70 ms): each
# fleet command imports them when it runs, so that `scim-setup review` and `scim-setup status`,
# which share this app, start without.
if TYPE_CHECKING:
    from pulumi import automation as auto

    from scim_setup.cli.fleet.report import Command, FleetReport

fleet_app = typer.Typer(
    help="Run preview/up/refresh/destroy for every customer stack, with live progress.",
    no_args_is_help=True,
)

Cwd = Annotated[
    Path,
    typer.Option("--cwd", "-C", help="The scim-setup project directory (holds Pulumi.yaml)."),
]
Stacks = Annotated[
    str | None,
    typer.Option("--stacks", "-s", help="Comma-separated globs of stack names (default: all)."),
]
Parallel = Annotated[
    int | None,
    typer.Option("--parallel", "-p", min=1, help="Stacks run at once (default: the CPU count)."),
]
Report = Annotated[
    Path | None, typer.Option("--report", help="Write the JSON report (docs/fleet.md) here.")
]
LogDir = Annotated[
    Path | None,
    typer.Option("--log-dir", help="Per-stack logs (default: .fleet/logs/<command>-<time>/)."),
]
Json = Annotated[bool, typer.Option("--json", help="Print the report as JSON, not a table.")]


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"scim-setup fleet: {message}", err=True)
    raise typer.Exit(code)


def default_parallel() -> int:
    return usable_cpus()


def _run(
    command: Command,
    cwd: Path,
    stacks: str | None,
    parallel: int | None,
    report_path: Path | None,
    log_dir: Path | None,
    as_json: bool,
    refresh: bool = False,
) -> None:
    from scim_setup.cli.fleet.report import write_report
    from scim_setup.cli.fleet.runner import run_fleet
    from scim_setup.cli.fleet.stacks import FleetError, ambient_dashboard_env
    from scim_setup.cli.fleet.view import FleetProgress

    for name in ambient_dashboard_env():
        typer.echo(f"scim-setup fleet: ignoring {name}; each stack holds its own", err=True)
    workers = parallel or default_parallel()
    try:
        workspace, selected = _workspace_and_stacks(cwd, stacks)
    except FleetError as error:
        _fail(str(error))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    logs = (log_dir or cwd / ".fleet" / "logs" / f"{command}-{stamp}").resolve()
    title = f"fleet {command}: {len(selected)} customer(s), {workers} at a time"
    try:
        with FleetProgress(Console(stderr=True), title) as progress:
            report = run_fleet(workspace, command, selected, workers, logs, progress, refresh)
    except KeyboardInterrupt:
        _fail(f"interrupted; queued stacks were not started; logs in {logs}", code=130)
    if report_path is not None:
        write_report(report, report_path)
    _print_report(report, as_json)
    raise typer.Exit(report.exit_code())


def _workspace_and_stacks(cwd: Path, stacks: str | None) -> tuple[auto.LocalWorkspace, list[str]]:
    """The project's workspace and its stacks matching `--stacks`; raises FleetError."""
    from scim_setup.cli.fleet.stacks import fleet_workspace, parse_patterns, select_stacks

    workspace = fleet_workspace(cwd.resolve())
    return workspace, select_stacks(workspace, parse_patterns(stacks))


def _print_report(report: FleetReport, as_json: bool) -> None:
    from scim_setup.cli.fleet.view import summary_table

    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    Console().print(summary_table(report))
    failed, changed = report.failed(), report.with_changes()
    if failed:
        names = ", ".join(c.stack for c in failed)
        typer.echo(f"{len(failed)} customer(s) failed: {names}; see error and log above", err=True)
    elif changed:
        typer.echo(f"{len(changed)} customer(s) have changes; `scim-setup fleet up`", err=True)


@fleet_app.command()
def preview(
    cwd: Cwd = Path("."),
    stacks: Stacks = None,
    parallel: Parallel = None,
    report: Report = None,
    log_dir: LogDir = None,
    json_: Json = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Read each Dashboard first: drift shows as changes.")
    ] = False,
) -> None:
    """Preview every selected customer; exit 3 if any has changes, 1 if any failed."""
    _run("preview", cwd, stacks, parallel, report, log_dir, json_, refresh)


@fleet_app.command()
def up(
    cwd: Cwd = Path("."),
    stacks: Stacks = None,
    parallel: Parallel = None,
    report: Report = None,
    log_dir: LogDir = None,
    json_: Json = False,
) -> None:
    """Set up (or converge) every selected customer; exit 1 if any failed."""
    _run("up", cwd, stacks, parallel, report, log_dir, json_)


@fleet_app.command()
def refresh(
    cwd: Cwd = Path("."),
    stacks: Stacks = None,
    parallel: Parallel = None,
    report: Report = None,
    log_dir: LogDir = None,
    json_: Json = False,
) -> None:
    """Read every selected customer's Dashboard into its state (drift shows as changes)."""
    _run("refresh", cwd, stacks, parallel, report, log_dir, json_)


@fleet_app.command()
def destroy(
    cwd: Cwd = Path("."),
    stacks: Stacks = None,
    parallel: Parallel = None,
    report: Report = None,
    log_dir: LogDir = None,
    json_: Json = False,
    yes: Annotated[bool, typer.Option("--yes", help="Required: destroy is not undoable.")] = False,
) -> None:
    """Undo the setup of every selected customer (revoke tokens, switch SCIM off)."""
    if not yes:
        _fail("destroy undoes the SCIM setup of every selected customer; pass --yes to proceed")
    _run("destroy", cwd, stacks, parallel, report, log_dir, json_)


@fleet_app.command()
def status(cwd: Cwd = Path("."), stacks: Stacks = None, json_: Json = False) -> None:
    """Each customer's last update, from the backend (no Dashboard is contacted)."""
    from scim_setup.cli.fleet.stacks import FleetError
    from scim_setup.cli.fleet.status import status_rows, status_table

    try:
        rows = status_rows(*_workspace_and_stacks(cwd, stacks))
    except FleetError as error:
        _fail(str(error))
    if json_:
        typer.echo(json.dumps([row.as_json() for row in rows], indent=2))
    else:
        Console().print(status_table(rows))
    raise typer.Exit(1 if any(row.result == "failed" for row in rows) else 0)


@fleet_app.command()
def matrix(cwd: Cwd = Path("."), stacks: Stacks = None) -> None:
    """The selected stacks as a CI matrix: {"include": [{"stack": "acme"}, …]} (docs/fleet.md)."""
    from scim_setup.cli.fleet.stacks import FleetError

    try:
        _, selected = _workspace_and_stacks(cwd, stacks)
    except FleetError as error:
        _fail(str(error))
    typer.echo(json.dumps({"include": [{"stack": name} for name in selected]}))


@fleet_app.command()
def add(
    customer: Annotated[str, typer.Argument(help="The customer's stack name, e.g. acme.")],
    dashboard_url: Annotated[
        str | None, typer.Option(help="The customer's Dashboard base URL (dashboard:url).")
    ] = None,
    api_token_env: Annotated[
        str | None,
        typer.Option(help="Environment variable holding the customer's Dashboard admin token."),
    ] = None,
    account_size_gb: Annotated[
        int | None, typer.Option(help="scim:accountSizeGb for this customer.")
    ] = None,
    config: Annotated[
        list[str] | None,
        typer.Option("--config", "-c", help="Any other key: NAMESPACE:KEY=VALUE (repeatable)."),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="Read the customer's entry from this YAML file."),
    ] = None,
    secrets_provider: Annotated[
        str | None,
        typer.Option(help="Secrets provider for the new stack (default: the backend's)."),
    ] = None,
    cwd: Cwd = Path("."),
) -> None:
    """Add a customer: a new stack whose Pulumi.<customer>.yaml holds its encrypted token."""
    from scim_setup.cli.fleet.add import CustomerEntry, add_customer, parse_config_flags
    from scim_setup.cli.fleet.stacks import FleetError, fleet_workspace

    try:
        entry = CustomerEntry.from_file(from_file, customer) if from_file else CustomerEntry()
        entry.dashboard_url = dashboard_url or entry.dashboard_url
        entry.api_token_env = api_token_env or entry.api_token_env
        if account_size_gb is not None:
            entry.config["scim:accountSizeGb"] = account_size_gb
        entry.config.update(parse_config_flags(config or []))
        workspace = fleet_workspace(cwd.resolve())
        workspace.secrets_provider = secrets_provider
        stack_file = add_customer(workspace, customer, entry)
    except FleetError as error:
        _fail(str(error))
    typer.echo(
        f"Added customer {customer}: {stack_file} (dashboard:apiToken encrypted). Commit it, then "
        f"`scim-setup fleet preview --stacks {customer}`."
    )
