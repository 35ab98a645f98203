"""`scim-setup status`: is provisioning actually working? Read from a stack's outputs.

The outputs are those of `components.health_outputs`, as of the stack's last `pulumi up`, or of a
`pulumi up --refresh` / `pulumi refresh --run-program` that re-read the Dashboard and Graph. Exit
code 0 when healthy, 1 when something is wrong (a pipeline or cron job can alert on it), 2 when
the stack's outputs cannot be read.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

OK, WARN, FAIL, INFO = "ok", "warn", "fail", "info"
_STYLES = {OK: "green", WARN: "yellow", FAIL: "bold red", INFO: "dim"}
_MARKS = {OK: "✓", WARN: "!", FAIL: "✗", INFO: "·"}


RESTART_PENDING = (
    "pending: entra:syncAll changed and the job has not been restarted yet; the next `pulumi up` "
    "restarts it once entra:startProvisioning is true and no quarantine only a person may lift "
    "holds the job"
)


class StackReadError(Exception):
    """The stack's outputs could not be read; the message is one line."""


@dataclass(frozen=True)
class Check:
    name: str
    value: str
    state: str


@dataclass
class Report:
    stack: str | None
    checks: list[Check] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [f"{c.name}: {c.value}" for c in self.checks if c.state == FAIL]

    @property
    def healthy(self) -> bool:
        return not self.problems

    def add(self, name: str, value: str, state: str = INFO) -> None:
        self.checks.append(Check(name, value, state))


def read_outputs(stack: str | None, cwd: Path) -> dict[str, Any]:
    """`pulumi stack output --json` of `stack` (the selected one when None); secrets stay hidden."""
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise StackReadError("the pulumi CLI is not on PATH; install it or add it to PATH")
    command = [pulumi, "stack", "output", "--json", "--non-interactive"]
    if stack:
        command += ["--stack", stack]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        reason = lines[-1].removeprefix("error: ") if lines else f"exit {result.returncode}"
        raise StackReadError(
            f"`pulumi stack output` failed for stack {stack or '(selected)'}: {reason}"
        )
    outputs = json.loads(result.stdout or "{}")
    if "tenant_url" not in outputs:
        raise StackReadError(
            f"stack {stack or '(selected)'} has no scim-setup outputs; run `pulumi up` first"
        )
    return outputs


def assess(outputs: dict[str, Any], stack: str | None, now: datetime | None = None) -> Report:
    """Turn the stack's outputs into checks; every `fail` makes the report unhealthy."""
    now = now or datetime.now(UTC)
    report = Report(stack)
    enabled = outputs.get("scim_enabled")
    if enabled is None:
        report.add("SCIM enabled", "unknown (run `pulumi up` to export it)", WARN)
    else:
        report.add("SCIM enabled", _yes_no(enabled), OK if enabled else FAIL)
    size = outputs.get("account_size_gb")
    report.add("Account size", f"{size} GB" if size is not None else "unknown")
    report.add("Token", _token(outputs, now), INFO)
    report.add(
        "Test Connection (Dashboard)", *_test_connection(outputs.get("test_connection"), now)
    )
    if "provisioning_status" in outputs:
        _entra_checks(report, outputs, now)
    else:
        report.add("Entra provisioning", "not in this stack (no entra section)")
    return report


def _entra_checks(report: Report, outputs: dict[str, Any], now: datetime) -> None:
    report.add(
        "Test Connection (Entra)", *_test_connection(outputs.get("entra_test_connection"), now)
    )
    status = outputs.get("provisioning_status") or {}
    code = status.get("code") or "unknown"
    failures = int(status.get("count_successive_complete_failures") or 0)
    state = {"Active": OK, "Paused": WARN, "NotRun": WARN, "Quarantine": FAIL}.get(code, FAIL)
    plural = "s" if failures > 1 else ""
    suffix = f", {failures} failed cycle{plural} in a row" if failures else ""
    attention = outputs.get("provisioning_attention")
    if attention and code != "Quarantine":
        suffix += " (as of the last refresh; the last `pulumi up` found it in quarantine)"
    report.add("Provisioning job", f"{code}{suffix}", state)
    report.add("Last cycle", *_last_cycle(status.get("last_execution"), now))
    quarantine = status.get("quarantine")
    if quarantine:
        # Only a quarantine loads the shared wording (and, with `providers`, the Pulumi SDK).
        from providers.graph.quarantine_summary import quarantine_summary

        summary = quarantine_summary(quarantine, began=lambda stamp: _ago(stamp, now))
        report.add("Quarantine", summary, FAIL)
        report.add("Next attempt", _next_attempt(quarantine.get("next_attempt"), now))
        report.add("Lifted by", *_lifted_by(status, quarantine))
    if attention:
        # What the last `up` printed: newer than a status read at the last create or refresh.
        report.add("Needs a person", str(attention), FAIL)
    if outputs.get("provisioning_restart_pending") is True:
        report.add("Scope restart", RESTART_PENDING, WARN)
    report.add("Portal", str(outputs.get("portal_url") or "unknown"))


def _next_attempt(stamp: Any, now: datetime) -> str:
    """When Entra retries a quarantined job itself (6, 12, 24 h after the failure, then daily)."""
    then = _moment(stamp)
    if then is None:
        return stamp if isinstance(stamp, str) else "unknown"
    seconds = int((then - now).total_seconds())
    return f"{stamp} (due now)" if seconds <= 0 else f"{stamp} (in {_span(seconds)})"


def _lifted_by(status: dict[str, Any], quarantine: dict[str, Any]) -> tuple[str, str]:
    """Whether the next `pulumi up` lifts the quarantine, or a person must act."""
    lift = status.get("quarantine_lift")
    if lift == "pulumi up":
        return (
            "the next `pulumi up`, once Entra's Test Connection passes (bad credentials)",
            WARN,
        )
    if lift == "a person":
        reason = quarantine.get("reason") or "unknown reason"
        return (
            f"a person: scim-setup does not lift {reason}; read the provisioning logs, then "
            "Restart provisioning in the portal",
            FAIL,
        )
    return "unknown (run `pulumi up` or `pulumi refresh` to read the job again)", WARN


def _test_connection(result: dict[str, Any] | None, now: datetime) -> tuple[str, str]:
    if not result:
        return "not run (switched off)", WARN
    when = _ago(result.get("checked_at"), now)
    if result.get("result") == "passed":
        return f"passed {when}", OK
    if result.get("result") == "skipped":
        return f"skipped: {result.get('message')}", WARN
    return f"{result.get('result')}: {result.get('message')}", FAIL


def _token(outputs: dict[str, Any], now: datetime) -> str:
    created = _ago(outputs.get("token_created_at"), now, suffix="old")
    used = outputs.get("token_last_used_at")
    last_use = f"last used {_ago(used, now)}" if used else "never used"
    return f"{created}, {last_use}"


def _last_cycle(execution: dict[str, Any] | None, now: datetime) -> tuple[str, str]:
    if not execution:
        return "none yet", INFO
    state = str(execution.get("state") or "unknown")
    when = _ago(execution.get("time_ended") or execution.get("time_began"), now)
    exported, escrowed = execution.get("count_exported"), execution.get("count_escrowed")
    counts = f" ({exported or 0} exported, {escrowed or 0} errors)"
    error = f": {execution['error']}" if execution.get("error") else ""
    verdict = {"Succeeded": OK, "EntryLevelErrors": WARN}.get(state, FAIL)
    return f"{state} {when}{counts}{error}", verdict


def _yes_no(value: Any) -> str:
    return "yes" if value is True else "no" if value is False else "unknown"


def _ago(stamp: Any, now: datetime, suffix: str = "ago") -> str:
    if not isinstance(stamp, str):
        return "at an unknown time"
    then = _moment(stamp)
    if then is None:
        return stamp
    return f"{_span(max(0, int((now - then).total_seconds())))} {suffix}"


def _moment(stamp: Any) -> datetime | None:
    """An ISO 8601 time as Graph and the Dashboard write it, or None."""
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None


def _span(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def render(report: Report, console: Console) -> None:
    title = f"SCIM setup: stack {report.stack}" if report.stack else "SCIM setup"
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("Check")
    table.add_column("")
    table.add_column("Status", overflow="fold")
    for check in report.checks:
        style = _STYLES[check.state]
        table.add_row(check.name, f"[{style}]{_MARKS[check.state]}[/]", check.value)
    console.print(table)
    verdict = "healthy" if report.healthy else f"{len(report.problems)} problem(s)"
    console.print(f"[{_STYLES[OK if report.healthy else FAIL]}]{verdict}[/]")


def status(
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="Stack to read (default: the selected one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    cwd: Annotated[Path, typer.Option("--cwd", "-C", help="The Pulumi project directory.")] = Path(
        "."
    ),
) -> None:
    """Show whether SCIM provisioning works: Dashboard, token, Test Connection, Entra job."""
    try:
        report = assess(read_outputs(stack, cwd), stack)
    except StackReadError as error:
        print(f"scim-setup status: {error}", file=sys.stderr)
        raise typer.Exit(2) from None
    if as_json:
        body = {"stack": stack, "healthy": report.healthy, "problems": report.problems}
        body["checks"] = [asdict(c) for c in report.checks]
        print(json.dumps(body, indent=2))
    else:
        render(report, Console())
    raise typer.Exit(0 if report.healthy else 1)
