"""`scim-setup review`: a pull request comment in the domain's words, from `pulumi preview --json`.

Runs the preview itself (`--stack`, `--config-file`) or reads one a pipeline already saved
(`--preview-json`), or a whole `fleet preview --report` (`--fleet-report`, see
`scim_setup.cli.fleet.review`).
Prints Markdown on stdout; `--json` prints one stack's changes for machines.
Exit 0 when the review was printed, 1 when there was no preview to read.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer

from scim_setup.cli.preview_changes import Preview, changes
from scim_setup.cli.review_markdown import markdown


class ReviewError(Exception):
    """No preview to review; the message is the one line the operator sees."""


def review(
    stack: Annotated[str | None, typer.Option("--stack", "-s", help="Stack to preview.")] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config-file", help="Stack config file for the preview.")
    ] = None,
    preview_json: Annotated[
        Path | None,
        typer.Option("--preview-json", help="Read this `pulumi preview --json` output instead."),
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
        if fleet_report:
            typer.echo(_fleet_markdown(fleet_report), nl=False)
            return
        raw = read_preview(preview_json) if preview_json else _run_preview(stack, config_file)
        preview = Preview.from_json(raw)
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


def _run_preview(stack: str | None, config_file: Path | None) -> dict[str, Any]:
    """`pulumi preview --json`; a preview that fails after planning (a policy) still has steps."""
    argv = ["pulumi", "preview", "--json", "--non-interactive"]
    argv += ["--stack", stack] if stack else []
    argv += ["--config-file", str(config_file)] if config_file else []
    try:
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ReviewError("the Pulumi CLI is not on PATH (see scripts/install-pulumi)") from None
    first_error = next((line for line in result.stderr.splitlines() if line.strip()), "")
    return _parse(
        result.stdout,
        f"`pulumi preview` exited {result.returncode} without a plan: {first_error}".rstrip(": "),
    )
