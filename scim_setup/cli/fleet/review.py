"""`scim-setup review --fleet-report`: one PR comment for a whole `fleet preview`.

Each customer with changes is described from the `pulumi preview --json` plan its fleet run saved
(`preview_json` in the report, read by `scim_setup.cli.review`), by the same code as a single
stack's review; a failed customer gets its one-line error. Warnings of every customer come first,
each naming its customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scim_setup.cli.fleet.report import CustomerResult, FleetReport
from scim_setup.cli.preview_changes import Change, Preview, changes
from scim_setup.cli.review_markdown import WARNINGS_TITLE, bullets, change_lines, sentence


@dataclass(frozen=True)
class _Reviewed:
    """One customer with changes: its plan and what the plan means."""

    customer: CustomerResult
    preview: Preview | None
    """None for a report written before fleet previews kept their plan."""
    found: list[Change]


def fleet_markdown(report: FleetReport, plans: Mapping[str, Preview]) -> str:
    """The summary line, every warning, then a section per changed customer and per failed one.

    `plans` holds each changed customer's parsed preview by stack; one missing (a report written
    before previews kept their plan) gets its change counts only.
    """
    reviewed = [_review(c, plans.get(c.stack)) for c in report.with_changes()]
    lines = [f"### SCIM setup review: fleet preview of {_customers(len(report.customers))}", ""]
    lines += [_summary(report), ""]
    warnings = [(r.customer.stack, c.text) for r in reviewed for c in r.found if c.warning]
    lines += bullets(WARNINGS_TITLE, [f"`{stack}`: {sentence(text)}" for stack, text in warnings])
    for changed in reviewed:
        lines += [f"#### `{changed.customer.stack}`", "", *_section(changed)]
    for failed in report.failed():
        lines += [f"#### `{failed.stack}`: failed", "", f"> {failed.error or 'failed'}", ""]
    return "\n".join(lines)


def _review(customer: CustomerResult, preview: Preview | None) -> _Reviewed:
    return _Reviewed(customer, preview, changes(preview) if preview else [])


def _section(changed: _Reviewed) -> list[str]:
    if changed.preview is None:
        listed = ", ".join(f"{n} to {op}" for op, n in changed.customer.changes.items())
        return [f"Changes ({listed}); this report keeps no plan to describe them.", ""]
    return change_lines(changed.preview, changed.found)


def _summary(report: FleetReport) -> str:
    changed, failed = report.with_changes(), report.failed()
    unchanged = len(report.customers) - len(changed) - len(failed)
    return (
        f"{_customers(len(report.customers))}: {len(changed)} with changes{_names(changed)}, "
        f"{len(failed)} failed{_names(failed)}, {unchanged} unchanged."
    )


def _names(customers: list[CustomerResult]) -> str:
    return f" ({', '.join(f'`{c.stack}`' for c in customers)})" if customers else ""


def _customers(count: int) -> str:
    return f"{count} customer{'' if count == 1 else 's'}"
