"""`scim-setup review`: a pull request comment in the domain's words, from `pulumi preview --json`.

Runs the preview itself (`--stack`, `--config-file`) or reads one a pipeline already saved
(`--preview-json`). Prints Markdown on stdout; `--json` prints the same changes for machines.
Exit 0 when the review was printed, 1 when there was no preview to read.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.preview_changes import Change, Preview, changes

_OPS = {
    "create": "to create",
    "update": "to update",
    "replace": "to replace",
    "delete": "to delete",
}


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
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """Print what a `pulumi preview` would change, in plain words, as Markdown for a PR comment."""
    try:
        raw = _read(preview_json) if preview_json else _run_preview(stack, config_file)
        preview = Preview.from_json(raw)
    except ReviewError as error:
        typer.echo(f"scim-setup review: {error}", err=True)
        raise typer.Exit(1) from None
    found = changes(preview)
    if as_json:
        typer.echo(json.dumps([vars(c) for c in found], indent=2))
    else:
        typer.echo(markdown(preview, found), nl=False)


def markdown(preview: Preview, found: list[Change]) -> str:
    """The PR comment: warnings first, then every other change, then the engine's counts."""
    lines = [f"### SCIM setup review: stack `{preview.stack}`", ""]
    if preview.errors:
        detail = "; ".join(e for e in preview.errors if e != "preview failed")
        lines += [
            "> ⚠️ `pulumi preview` failed (a mandatory policy or an error; its log says which)"
            + (f": {detail}" if detail else ""),
            "",
        ]
    if not found:
        lines += ["No changes: the setup already matches this configuration.", ""]
        return "\n".join(lines)
    warnings = [c.text for c in found if c.warning]
    others = [c.text for c in found if not c.warning]
    if warnings:
        lines += ["**⚠️ Needs attention**", *(f"- {_sentence(t)}" for t in warnings), ""]
    if others:
        lines += ["**Changes**", *(f"- {_sentence(t)}" for t in others), ""]
    counts = preview.counts()
    summary = ", ".join(f"{counts[op]} {label}" for op, label in _OPS.items() if counts.get(op))
    lines += [f"<sub>pulumi preview: {summary}.</sub>", ""]
    return "\n".join(lines)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _read(path: Path) -> dict[str, Any]:
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
