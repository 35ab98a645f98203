"""`fleet status`: each customer's last update as the backend recorded it (no Dashboard call)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from pulumi import automation as auto
from rich.table import Table

from scim_setup.cli.fleet.stacks import FleetError, last_line

HISTORY_WORKERS = 4


@dataclass(frozen=True)
class StackStatus:
    stack: str
    dashboard_url: str | None
    resources: int | None
    last_command: str | None
    """update, preview-less `up` is recorded as `update`; also refresh, destroy."""
    result: str | None
    """succeeded, failed or in-progress; None when the stack never ran."""
    ended: str | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def status_rows(workspace: auto.LocalWorkspace, stacks: Sequence[str]) -> list[StackStatus]:
    summaries = {s.name: s for s in workspace.list_stacks()}
    with ThreadPoolExecutor(max_workers=HISTORY_WORKERS) as pool:
        histories = list(pool.map(lambda name: _last_update(workspace, name), stacks))
    return [
        StackStatus(
            stack=name,
            dashboard_url=_dashboard_url(workspace, name),
            resources=summaries[name].resource_count if name in summaries else None,
            last_command=history.get("kind"),
            result=history.get("result"),
            ended=history.get("endTime"),
        )
        for name, history in zip(stacks, histories, strict=True)
    ]


def _last_update(workspace: auto.LocalWorkspace, stack: str) -> dict[str, Any]:
    args = ["stack", "history", "--json", "--page-size", "1", "--stack", stack]
    try:
        result = workspace.pulumi_command.run(args, workspace.work_dir, workspace.env_vars)
    except auto.CommandError as error:
        reason = last_line(str(error))
        raise FleetError(f"`pulumi stack history` of {stack} failed: {reason}") from None
    entries = json.loads(result.stdout or "[]")
    return entries[0] if entries else {}


def _dashboard_url(workspace: auto.LocalWorkspace, stack: str) -> str | None:
    """Read from the stack file itself: the URL is plain config, no CLI call needed."""
    try:
        config = workspace.stack_settings(stack).config or {}
    except Exception:
        return None
    url = config.get("dashboard:url")
    return url if isinstance(url, str) else None


def status_table(rows: Sequence[StackStatus]) -> Table:
    table = Table(title=f"{len(rows)} customer(s)")
    for column in ("customer", "dashboard", "resources", "last command", "result", "ended"):
        table.add_column(column, overflow="fold")
    for row in rows:
        style = {"succeeded": "green", "failed": "bold red"}.get(row.result or "", "dim")
        table.add_row(
            row.stack,
            row.dashboard_url or "-",
            "-" if row.resources is None else str(row.resources),
            row.last_command or "never run",
            f"[{style}]{row.result or '-'}[/]",
            row.ended or "-",
        )
    return table
