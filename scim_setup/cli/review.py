"""`scim-setup review`: a pull request comment in the domain's words, from `pulumi preview --json`.

Runs the preview itself (`--stack`, `--config-file`, `--policy-pack`) or reads one a pipeline
already saved (`--preview-json`, with its `--event-log` for the policy violations), or a whole
`fleet preview --report` (`--fleet-report`, see scim_setup/cli/fleet/review.py).
Prints Markdown on stdout; `--json` prints one stack's changes for machines.
Exit 0 when the review was printed, 1 when there was no preview to read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scim_setup.cli.preview_changes import Preview, changes
from scim_setup.cli.review_markdown import markdown

if TYPE_CHECKING:
    from pulumi import automation as auto


class ReviewError(Exception):
    """No preview to review; the message is the one line the operator sees."""


def review(
    stack: Annotated[
        str | None,
        typer.Option(
            "--stack", "-s", help="Stack to preview (selected, as `pulumi stack select`)."
        ),
    ] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config-file", help="Stack config file for the preview.")
    ] = None,
    policy_packs: Annotated[
        list[Path] | None,
        typer.Option("--policy-pack", help="Run the preview with this policy pack (repeatable)."),
    ] = None,
    policy_pack_configs: Annotated[
        list[Path] | None,
        typer.Option("--policy-pack-config", help="Config file of each --policy-pack, in order."),
    ] = None,
    preview_json: Annotated[
        Path | None,
        typer.Option("--preview-json", help="Read this `pulumi preview --json` output instead."),
    ] = None,
    event_log: Annotated[
        Path | None,
        typer.Option(
            "--event-log",
            help="The same saved preview's `--event-log` file: lists its policy violations.",
        ),
    ] = None,
    fleet_report: Annotated[
        Path | None,
        typer.Option("--fleet-report", help="Review a `fleet preview --report` file instead."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """Print what a `pulumi preview` would change, in plain words, as Markdown for a PR comment."""
    try:
        if fleet_report and as_json:
            raise ReviewError("--json is for one stack; the fleet report is already JSON")
        if event_log and not preview_json:
            raise ReviewError(
                "--event-log goes with --preview-json (a preview run here logs its own)"
            )
        if fleet_report:
            typer.echo(_fleet_markdown(fleet_report), nl=False)
            return
        if preview_json:
            raw = read_preview(preview_json)
            events = read_event_log(event_log) if event_log else []
        else:
            packs = _policy_pack_args(policy_packs or [], policy_pack_configs or [])
            raw, events = _run_preview(stack, config_file, packs)
        preview = Preview.from_json(raw, events)
    except ReviewError as error:
        typer.echo(f"scim-setup review: {error}", err=True)
        raise typer.Exit(1) from None
    found = changes(preview)
    if as_json:
        typer.echo(json.dumps([vars(c) for c in found], indent=2))
    else:
        typer.echo(markdown(preview, found), nl=False)


def _fleet_markdown(path: Path) -> str:
    """The fleet's comment, from the report and the plan each customer's preview kept."""
    from pydantic import ValidationError  # the fleet report's reader; one stack's review needs none

    from scim_setup.cli.fleet.report import read_report
    from scim_setup.cli.fleet.review import fleet_markdown

    try:
        report = read_report(path)
    except OSError as error:
        raise ReviewError(f"cannot read {path}: {error.strerror}") from None
    except ValidationError:
        raise ReviewError(f"{path} is not a `scim-setup fleet --report` file") from None
    if report.command != "preview":
        raise ReviewError(f"this is a `fleet {report.command}` report; review reads fleet previews")
    plans = {
        c.stack: Preview.from_json(read_preview(Path(c.preview_json)))
        for c in report.with_changes()
        if c.preview_json
    }
    return fleet_markdown(report, plans)


def read_preview(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as error:
        raise ReviewError(f"cannot read {path}: {error.strerror}") from None
    return _parse(text, f"{path} is not the output of `pulumi preview --json`")


def _parse(text: str, problem: str) -> dict[str, Any]:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        raise ReviewError(problem) from None
    if not isinstance(raw, dict) or "steps" not in raw:
        raise ReviewError(problem)
    return raw


def read_event_log(path: Path) -> list[dict[str, Any]]:
    """The engine events of a `--event-log` file: one JSON object per line."""
    problem = f"{path} is not a `pulumi preview --event-log` file"
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise ReviewError(f"cannot read {path}: {error.strerror}") from None
    try:
        events = [json.loads(line) for line in lines if line.strip()]
    except json.JSONDecodeError:
        raise ReviewError(problem) from None
    if not all(isinstance(event, dict) and "sequence" in event for event in events):
        raise ReviewError(problem)
    return events


PolicyPacks = tuple[list[str], list[str]]
"""The policy pack directories and their config files, in order."""


def _policy_pack_args(packs: list[Path], configs: list[Path]) -> PolicyPacks:
    """The packs and their config files for the preview: the CLI gives the n-th config file to
    the n-th pack."""
    if len(configs) > len(packs):
        raise ReviewError("more --policy-pack-config files than --policy-pack directories")
    return [str(pack) for pack in packs], [str(config) for config in configs]


def _run_preview(
    stack: str | None, config_file: Path | None, policy_pack_args: PolicyPacks
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`pulumi preview --json` and its policy events, through the Automation API (its `on_event`
    is the public way to the engine's events); a preview that fails after planning (a mandatory
    policy) still has steps, and the events have the violations."""
    from pulumi import automation as auto  # only a preview run here needs it

    from scim_setup.cli.fleet.stacks import last_line

    stdout: list[str] = []
    events: list[dict[str, Any]] = []
    try:
        workspace = auto.LocalWorkspace(work_dir=str(Path.cwd()))
        selected = _stack_name(workspace, stack)
        auto.Stack.select(selected, workspace).preview(
            json=True,
            color="never",
            config_file=str(config_file) if config_file else None,
            policy_packs=policy_pack_args[0] or None,
            policy_pack_configs=policy_pack_args[1] or None,
            on_output=stdout.append,
            on_event=lambda event: _keep_policy_event(event, events),
        )
        failure = ""
    except auto.CommandError as error:
        failure = last_line(str(error))
    except FileNotFoundError:
        raise ReviewError("the Pulumi CLI is not on PATH (see scripts/install-pulumi)") from None
    problem = f"`pulumi preview` failed without a plan: {failure}"
    return _parse("\n".join(stdout), problem.rstrip(": ")), events


def _stack_name(workspace: auto.LocalWorkspace, stack: str | None) -> str:
    if stack:
        return stack
    current = workspace.stack()
    if current is None:
        raise ReviewError("no stack is selected: pass --stack")
    return current.name


def _keep_policy_event(event: auto.EngineEvent, events: list[dict[str, Any]]) -> None:
    """A policy event as `pulumi preview --event-log` writes it: one reader reads both."""
    policy = event.policy_event
    if policy is None:
        return
    logged = {
        "message": policy.message,
        "policyName": policy.policy_name,
        "policyPackName": policy.policy_pack_name,
        "enforcementLevel": policy.enforcement_level,
        "resourceUrn": policy.resource_urn or "",
    }
    events.append({"sequence": len(events), "policyEvent": logged})
