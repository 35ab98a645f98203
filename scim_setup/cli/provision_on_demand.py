"""`scim-setup provision-on-demand --user <object id or UPN>`: provision one user now, step by step.

The quickest proof that the attribute mappings are right: Graph's `provisionOnDemand`
(graph/api/synchronizationjob-provisionondemand) runs one user through the stack's provisioning
job and reports each step (import, scoping, matching, action, export); then the Dashboard's
backup account that came of it is shown, with its login and quota. The job comes from the
stack's `job_id` output, the Graph and Dashboard credentials from its config (`azuread:*`,
`dashboard:*`, else `ARM_*` and `DASHBOARD_*`). Exit code 0 when the user was provisioned, 1 when
Entra skipped it or a step failed, 2 when it could not be run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from scim_setup.cli.status import StackReadError, read_outputs

STEP_NAMES = {
    "Import": "Import user",
    "Scoping": "Determine if user is in scope",
    "Matching": "Match user between source and target",
    "Processing": "Perform action",
    "Export": "Synchronize user",
}
"""Graph's `provisioningStepType`s, named as the portal's *Provision on demand* pane names them."""


class OnDemandError(Exception):
    """Provisioning on demand could not be run; the message is one line."""


@dataclass(frozen=True)
class Step:
    type: str
    status: str
    description: str
    details: dict[str, Any]


@dataclass(frozen=True)
class OnDemandResult:
    result: str
    steps: list[Step]
    user_name: str | None
    backup_account: dict[str, Any] | None


def provision_on_demand(
    user: Annotated[str, typer.Option("--user", "-u", help="The user's object id or UPN.")],
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="Stack to use (default: the selected one).")
    ] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config-file", help="The stack's config file, if elsewhere.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    cwd: Annotated[Path, typer.Option("--cwd", "-C", help="The Pulumi project directory.")] = Path(
        "."
    ),
) -> None:
    """Provision one user now through the stack's Entra job and show every step Entra reports."""
    try:
        outcome = run(user, stack, cwd, config_file)
    except (OnDemandError, StackReadError) as error:
        print(f"scim-setup provision-on-demand: {error}", file=sys.stderr)
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(asdict(outcome), indent=2))
    else:
        render(outcome, Console())
    raise typer.Exit(0 if outcome.result == "Success" else 1)


def run(user: str, stack: str | None, cwd: Path, config_file: Path | None = None) -> OnDemandResult:
    from components.entra_values import is_guid
    from providers.error_reporting import OneLineError
    from providers.graph.connection import GraphConnection
    from providers.graph.synchronization_schema import SchemaError, user_mapping

    job_id = read_outputs(stack, cwd).get("job_id")
    if not isinstance(job_id, str):
        raise OnDemandError(f"stack {stack or '(selected)'} has no Entra step (no job_id output)")
    config = read_config(stack, cwd, config_file)
    try:
        client = GraphConnection.from_config(config).client()
        object_id = user if is_guid(user) else _object_id(client, user)
        rule, _mapping = user_mapping(client.schema(job_id))
        answer = client.provision_on_demand(job_id, str(rule["id"]), object_id)
    except (OneLineError, SchemaError) as error:
        raise OnDemandError(str(error)) from None
    outcome = parse_answer(answer)
    if outcome.result == "Success" and outcome.user_name:
        account = _backup_account(config, outcome.user_name)
        outcome = OnDemandResult(outcome.result, outcome.steps, outcome.user_name, account)
    return outcome


def read_config(stack: str | None, cwd: Path, config_file: Path | None = None) -> dict[str, str]:
    """The stack's config, secrets decrypted (they stay in this process: nothing prints them)."""
    command = ["pulumi", "config", "--json", "--show-secrets", "--non-interactive"]
    command += ["--stack", stack] if stack else []
    command += ["--config-file", str(config_file)] if config_file else []
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise OnDemandError("the pulumi CLI is not on PATH; install it or add it to PATH") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1].removeprefix("error: ") if lines else f"exit {result.returncode}"
        raise OnDemandError(f"`pulumi config` failed for stack {stack or '(selected)'}: {reason}")
    return {key: str(item.get("value", "")) for key, item in json.loads(result.stdout).items()}


def parse_answer(answer: dict[str, Any]) -> OnDemandResult:
    """Graph's `{key, value}` pair: the result in `key`, the steps in `value` (both JSON text)."""
    try:
        key = json.loads(answer.get("key") or "{}")
        value = json.loads(answer.get("value") or "{}")
    except json.JSONDecodeError:
        raise OnDemandError("Graph's provisionOnDemand answer is not the documented JSON") from None
    steps = [
        Step(
            type=str(s.get("type")),
            status=str(s.get("status")),
            description=" ".join(str(s.get("description") or "").split()),
            details=s.get("details") or {},
        )
        for s in value.get("provisioningSteps") or []
    ]
    exported = next((s for s in steps if s.type == "Export" and s.status == "Success"), None)
    user_name = exported.details.get("userName") if exported else None
    return OnDemandResult(str(key.get("result") or "Unknown"), steps, user_name, None)


def _object_id(client: Any, user: str) -> str:
    from providers.graph.client import GraphError

    try:
        return client.user_object_id(user)
    except GraphError as error:
        if error.status == 404:
            raise OnDemandError(
                f"no user {user!r} in the directory; give its object id or user principal name"
            ) from None
        raise


def _backup_account(config: dict[str, str], user_name: str) -> dict[str, Any] | None:
    from providers.dashboard.client import DashboardError
    from providers.dashboard.connection import DashboardConnection

    try:
        accounts = DashboardConnection.from_config(config).client().list_backup_accounts()
    except DashboardError as error:
        return {"error": str(error)}
    found = next((a for a in accounts if a.user_name.lower() == user_name.lower()), None)
    return None if found is None else asdict(found)


def render(outcome: OnDemandResult, console: Console) -> None:
    table = Table(title="Provision on demand", show_header=True, header_style="bold")
    table.add_column("Step")
    table.add_column("Status")
    table.add_column("What Entra reports", overflow="fold")
    for step in outcome.steps:
        style = {"Success": "green", "Skipped": "yellow"}.get(step.status, "bold red")
        reason = step.details.get("SkipReason")
        text = f"{step.description} (SkipReason: {reason})" if reason else step.description
        table.add_row(STEP_NAMES.get(step.type, step.type), f"[{style}]{step.status}[/]", text)
    console.print(table)
    account = outcome.backup_account
    if account and "error" in account:
        console.print(f"[yellow]Backup account: could not read ({account['error']})[/]")
    elif account:
        state = "active" if account.get("active") else "inactive"
        console.print(
            f"Backup account: [bold]{account['user_name']}[/], {account['quota_gb']} GB, {state}"
        )
    elif outcome.result == "Success":
        console.print(f"[yellow]No backup account found for {outcome.user_name}[/]")
    console.print(f"Result: {outcome.result}")
