"""The fault suite's table, printed at the end of the run from every xdist worker's rows.

A worker's memory is not the controller's, so each row travels in its test's report (as a user
property) and the controller's terminal summary reads them from there; serial runs work the same.
"""

from __future__ import annotations

from typing import Any

PROPERTY = "fault_row"


def print_fault_table(terminalreporter: Any) -> None:
    rows = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        for name, value in getattr(report, "user_properties", ())
        if name == PROPERTY
    ]
    if not rows:
        return
    terminalreporter.section("fault suite: fault → outcome → requests → time")
    for row in rows:
        terminalreporter.write_line(
            f"{row['fault']} | {row['outcome']} | {row['requests']} | {row['seconds']:.1f} s"
        )
