"""`make bench`: one table of our speed against bare yardsticks, also written to docs/benchmarks.md.

    .venv/bin/python -m bench.report [--rounds 5] [--emulator-seconds 10] [--no-write]

Rows: each `pulumi` command of the Dashboard-only stack against a bare Pulumi program with the
same resources (`bench/commands.py`); first up, no-op up and refresh of the whole setup (an
`entra` section) against a bare program with the same azuread resources on the same azuread
stand-in plugin and fake Graph, with the Graph calls each made (`measure_whole_setup`, no target
yet: the figures are for reading); and the emulator's server CPU per Entra-shaped SCIM request
against its bound (`bench/emulator_cpu.py`, issue 21). The machine, the date and the load average
around the run go into the document, since the machine is usually shared.

Only the part of docs/benchmarks.md between this module's markers is rewritten; other sections
(e.g. the fleet figures of `make bench-fleet`) stay as they are.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import emulator_cpu
from bench.commands import CommandTimes, measure, measure_whole_setup
from scim_setup.cpus import usable_cpus

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN = "<!-- make bench: begin (bench/report.py rewrites this section) -->"
END = "<!-- make bench: end -->"
COMMAND_RATIO_MAX = 1.20
COMMANDS_WITH_TARGET = ("preview", "no-op up", "refresh", "destroy")
CAPTION = "Commands: median wall s (CPU s) of paired runs; ratio = ours / bare wall time"
HEADER = (
    "measure",
    "ours",
    "bare / baseline",
    "ratio",
    "target",
    "met",
    "Dashboard calls",
    "Graph calls (ours / bare)",
)


@dataclass(frozen=True)
class Row:
    """One line of the table; `None` where a figure does not apply."""

    measure: str
    ours: str
    yardstick: str
    ratio: float | None
    target: str
    met: bool | None
    dashboard_calls: str
    graph_calls: str = ""
    """`ours / bare` Graph API calls of one run; empty for rows without an Entra step."""


def command_rows(times: list[CommandTimes]) -> list[Row]:
    rows = []
    for t in times:
        ratio = round(t.ratio(), 2)
        has_target = t.command in COMMANDS_WITH_TARGET
        rows.append(
            Row(
                measure=t.command,
                ours=f"{t.median('ours'):.2f} ({t.median('ours', 'cpu_s'):.2f})",
                yardstick=f"{t.median('bare'):.2f} ({t.median('bare', 'cpu_s'):.2f})",
                ratio=ratio,
                target=f"≤ {COMMAND_RATIO_MAX:.2f}x" if has_target else "",
                met=ratio <= COMMAND_RATIO_MAX if has_target else None,
                dashboard_calls=_calls(t.dashboard_calls),
                graph_calls=_graph_calls(t),
            )
        )
    return rows


_TENANT = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _calls(calls: list[str]) -> str:
    """`3: GET scim, PUT scim, …`: admin paths without `/api/v1/`, ids as `{id}` / `{tenant}`."""
    short = [
        re.sub(r"/[a-z]+_[0-9A-Za-z]{6,}", "/{id}", _TENANT.sub("/{tenant}", call)).replace(
            " /api/v1/", " "
        )
        for call in calls
    ]
    return f"{len(short)}: {', '.join(short)}" if short else "0"


def _graph_calls(times: CommandTimes) -> str:
    if not times.graph_calls:
        return ""
    ours, bare = (len(times.graph_calls.get(which, [])) for which in ("ours", "bare"))
    return f"{ours} / {bare}"


def emulator_row(figures: dict[str, Any]) -> Row:
    """The emulator's CPU per request against its bound; met only if no request failed."""
    cpu, errors = figures["server_cpu_ms_per_request"], figures["errors"]
    return Row(
        measure="emulator CPU ms/req",
        ours="n/a" if cpu is None else f"{cpu:.2f}",
        yardstick="",
        ratio=None,
        target=f"≤ {emulator_cpu.CPU_MS_PER_REQUEST_MAX:.1f} ms",
        met=None if cpu is None else cpu <= emulator_cpu.CPU_MS_PER_REQUEST_MAX and errors == 0,
        dashboard_calls=f"{figures['requests']} requests, {errors} errors",
    )


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    pulumi = subprocess.run(
        ["pulumi", "version"], capture_output=True, text=True, timeout=60, check=False
    )
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores (nproc)": str(usable_cpus()),
        "CPU": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "memory": _memory(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Pulumi CLI": pulumi.stdout.strip() or "not found",
        "pulumi (Python SDK)": version("pulumi"),
        "load average at start": _load(),
    }


def _proc_field(path: str, name: str) -> str | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    values = [line.split(":", 1)[1].strip() for line in lines if line.startswith(name)]
    return values[0] if values else None


def _memory() -> str:
    total = _proc_field("/proc/meminfo", "MemTotal")
    return f"{int(total.split()[0]) / 2**20:.1f} GiB" if total else "unknown"


def _load() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1 / 5 / 15 min)"


def print_table(rows: list[Row], console: Console) -> None:
    table = Table(title="scim-setup vs bare yardsticks", caption=CAPTION)
    for column in HEADER:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*_cells(row))
    console.print(table)


def _cells(row: Row) -> list[str]:
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
    met = {True: "yes", False: "NO", None: ""}[row.met]
    return [
        row.measure,
        row.ours,
        row.yardstick,
        ratio,
        row.target,
        met,
        row.dashboard_calls,
        row.graph_calls,
    ]


def markdown(rows: list[Row], about: dict[str, str], rounds: int, whole_setup_rounds: int) -> str:
    lines = [
        BEGIN,
        "## Commands and emulator (`make bench`)",
        "",
        f"Measured {about['date']}; rewritten by every `make bench`. {CAPTION}.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
        *("| " + " | ".join(_cells(row)) + " |" for row in rows),
        "",
        "How: `bench/commands.py` runs preview, first up, no-op up, refresh and destroy on our",
        "Dashboard-only stack (against the emulator) and on `bench/bare_program` (the same",
        "resources, no config schema, no HTTP), back to back per command, the order flipped each",
        f"round; {rounds} counted rounds after a warm-up. Wall and CPU figures are medians; CPU is",
        "user + system time of the CLI and every process it started. The ratio is ours over bare",
        "wall time. Dashboard calls are the emulator's request log (`--test-hooks`) for one run of",
        "our stack. The whole-setup rows: first up, no-op up and refresh of our program with an",
        "`entra` section (a new app, one group) against `bench/bare_program` with",
        "`bench/bare_entra_program/entra_step.py` appended (the same azuread resources: app from",
        "template, secret, group assignment, job; none of our dynamic resources), both on the",
        "azuread stand-in plugin and one fake Graph (the stand-in's waits at a hundredth, the",
        f"fake's replication lag off), {whole_setup_rounds} counted rounds after a warm-up, each",
        "ending with an untimed destroy of both; Graph calls are the fake Graph's request log",
        "(API calls, not sign-ins) for one run of each. The emulator row: `bench/emulator_cpu.py`",
        "(Entra-shaped provisioning cycles from four client processes, five runs on a fresh",
        "emulator each; the emulator process's user + system CPU time over a run divided by its",
        "requests, the median of the runs).",
        "",
        "Machine:",
        "",
        *(f"- {key}: {value}" for key, value in about.items()),
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(section: str, doc: Path = DOC) -> None:
    """Replace this module's section of `doc`, keeping everything else in it."""
    text = doc.read_text() if doc.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description="our speed against bare yardsticks")
    parser.add_argument("--rounds", type=int, default=5, help="counted rounds of the commands")
    parser.add_argument(
        "--whole-setup-rounds", type=int, default=3, help="counted rounds of the whole setup"
    )
    parser.add_argument("--emulator-seconds", type=float, default=10.0, help="per SCIM load run")
    parser.add_argument("--no-write", action="store_true", help=f"do not rewrite {DOC.name}")
    args = parser.parse_args()

    console = Console(stderr=True)
    about = machine()
    with console.status("pulumi commands: ours vs bare") as status:
        times = measure(args.rounds, lambda line: status.update(f"pulumi commands: {line}"))
        times += measure_whole_setup(
            args.whole_setup_rounds, lambda line: status.update(f"pulumi commands: {line}")
        )
        status.update("emulator CPU per SCIM request")
        emulator = emulator_cpu.measure(seconds=args.emulator_seconds)
        rows = [*command_rows(times), emulator_row(emulator)]
    about["load average at end"] = _load()
    # Piped or in CI, rich would fold the table into 80 columns; the calls column needs room.
    print_table(rows, Console(width=None if sys.stdout.isatty() else 200))
    if not args.no_write:
        write_section(markdown(rows, about, args.rounds, args.whole_setup_rounds))
        console.print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
