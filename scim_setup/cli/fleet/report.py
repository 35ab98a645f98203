"""The fleet report: one JSON document per fleet run, for pipelines and `scim-setup review`.

The format (version 1) is documented in docs/fleet.md. It only grows: fields may be added, none is
renamed or removed, so a reader written today keeps working.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

Command = Literal["preview", "up", "refresh", "destroy"]
Status = Literal["ok", "failed", "changes"]

REPORT_VERSION = 1

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CHANGES = 3
"""`fleet preview` found changes and nothing failed (2 is taken by usage errors)."""


class CustomerResult(BaseModel):
    """What one command did to one customer's stack."""

    model_config = ConfigDict(frozen=True)

    stack: str
    command: Command
    status: Status
    changes: dict[str, int]
    """The engine's resource-change counts without `same`, e.g. {"update": 1}; {} for none."""
    error: str | None
    """The first error the engine reported (the provider's one-line message), when failed."""
    started: datetime
    ended: datetime
    log: str
    """The full output of the Pulumi command for this stack (for a preview: its stderr)."""
    preview_json: str | None = None
    """A preview's `pulumi preview --json` plan, read by `scim-setup review --fleet-report`."""

    @property
    def elapsed_seconds(self) -> float:
        return (self.ended - self.started).total_seconds()


class FleetReport(BaseModel):
    """One fleet command over the selected customers."""

    version: Literal[1] = REPORT_VERSION
    command: Command
    parallel: int
    started: datetime
    ended: datetime
    customers: list[CustomerResult]

    def failed(self) -> list[CustomerResult]:
        return [c for c in self.customers if c.status == "failed"]

    def with_changes(self) -> list[CustomerResult]:
        return [c for c in self.customers if c.status == "changes"]

    def exit_code(self) -> int:
        """1 if any customer failed, else 3 if a preview found changes, else 0."""
        if self.failed():
            return EXIT_FAILED
        return EXIT_CHANGES if self.with_changes() else EXIT_OK


def write_report(report: FleetReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=2) + "\n")


def read_report(path: Path) -> FleetReport:
    return FleetReport.model_validate_json(path.read_text())
