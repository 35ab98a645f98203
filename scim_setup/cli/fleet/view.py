"""How a fleet run looks: a live table on a terminal, one line per finished customer elsewhere."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table

from scim_setup.cli.fleet.report import FleetReport
from scim_setup.cli.fleet.runner import StackProgress

STATE_STYLE = {
    "queued": "dim",
    "running": "cyan",
    "ok": "green",
    "changes": "yellow",
    "failed": "bold red",
}


def _changes_text(changes: dict[str, int]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(changes.items())) or "-"


def _relative(path: str) -> str:
    """Log paths relative to where the operator stands, when they are below it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def progress_table(title: str, rows: list[StackProgress]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("customer", "state", "changed", "elapsed"):
        table.add_column(column, justify="right" if column in ("changed", "elapsed") else "left")
    for row in rows:
        changed = _changes_text(row.result.changes) if row.result else str(row.changed or "-")
        style = STATE_STYLE.get(row.state, "")
        table.add_row(row.stack, f"[{style}]{row.state}[/]", changed, f"{row.elapsed():.1f}s")
    return table


def summary_table(report: FleetReport) -> Table:
    table = Table(title=f"fleet {report.command}: {len(report.customers)} customer(s)")
    for column in ("customer", "status", "changes", "elapsed", "error / log"):
        table.add_column(column, overflow="fold")
    for customer in report.customers:
        style = STATE_STYLE[customer.status]
        table.add_row(
            customer.stack,
            f"[{style}]{customer.status}[/]",
            _changes_text(customer.changes),
            f"{customer.elapsed_seconds:.1f}s",
            customer.error or _relative(customer.log),
        )
    return table


class FleetProgress:
    """Receives `StackProgress` updates from worker threads and shows them.

    On a terminal: a live table, one row per customer. Otherwise (CI logs): one line per customer
    as it finishes, so the log shows progress without redraws.
    """

    def __init__(self, console: Console, title: str) -> None:
        self._console = console
        self._title = title
        self._rows: dict[str, StackProgress] = {}
        self._lock = threading.Lock()
        self._live: Live | None = None
        if console.is_terminal:
            self._live = Live(
                get_renderable=self._render, console=console, refresh_per_second=4, transient=True
            )

    def _render(self) -> Table:
        with self._lock:
            return progress_table(self._title, list(self._rows.values()))

    def __call__(self, row: StackProgress) -> None:
        with self._lock:
            self._rows[row.stack] = row
        if self._live is None and row.result is not None:
            result = row.result
            detail = result.error or _changes_text(result.changes)
            self._console.print(
                f"{result.stack}: {result.command} {result.status} in "
                f"{result.elapsed_seconds:.1f}s ({detail})",
                markup=False,
                highlight=False,
            )

    def __enter__(self) -> FleetProgress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
