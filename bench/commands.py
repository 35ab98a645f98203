"""Wall time of each `pulumi` command on our Dashboard-only stack against a bare program.

    .venv/bin/python -m bench.commands [--rounds 5] [--json]

Two stacks on local file backends in one temporary directory: ours (this project's `__main__.py`
against an emulator started with `--test-hooks`) and the bare program of `bench/bare_program/`
(the same resources, no HTTP). Each round runs preview, first up, no-op up, refresh and destroy on
both, the two runs of a command back to back and the order flipped every round, so both see the
same load on a shared machine. A first round warms the caches and is not counted. The emulator's
request log gives the Dashboard calls each of our commands made.

Needs the Pulumi CLI on PATH (`make bench` puts it there). Every command has a timeout; the
emulator, the stacks and their backends live in one temporary directory, removed at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, python_project

ROOT = Path(__file__).resolve().parents[1]
OURS = ROOT / "__main__.py"
BARE = ROOT / "bench" / "bare_program" / "__main__.py"
PROGRAMS = (("ours", OURS), ("bare", BARE))
COMMAND_TIMEOUT_S = 180

COMMANDS: dict[str, Callable[[LocalStack], Any]] = {
    "preview": lambda stack: stack.preview(),
    "first up": lambda stack: stack.up(),
    "no-op up": lambda stack: stack.up(),
    "refresh": lambda stack: stack.refresh(),
    "destroy": lambda stack: stack.destroy(),
}


@dataclass(frozen=True)
class Sample:
    """One run of one command: wall seconds, and CPU seconds of the CLI and every process it
    started (plugins, language host, program, dynamic provider), which the load of other work on
    a shared machine does not inflate the way it does wall time."""

    wall_s: float
    cpu_s: float


@dataclass
class CommandTimes:
    """One command's samples on both stacks, and the Dashboard calls ours made."""

    command: str
    ours: list[Sample] = field(default_factory=list)
    bare: list[Sample] = field(default_factory=list)
    dashboard_calls: list[str] = field(default_factory=list)

    def median(self, which: str, measure: str = "wall_s") -> float:
        samples: list[Sample] = getattr(self, which)
        return statistics.median(getattr(sample, measure) for sample in samples)

    def ratio(self, measure: str = "wall_s") -> float:
        """Ours over bare, from the medians."""
        return self.median("ours", measure) / self.median("bare", measure)

    def summary(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "wall_s": {"ours": self.median("ours"), "bare": self.median("bare")},
            "cpu_s": {"ours": self.median("ours", "cpu_s"), "bare": self.median("bare", "cpu_s")},
            "ratio": round(self.ratio(), 3),
        }


def measure(rounds: int = 5, progress: Callable[[str], None] = print) -> list[CommandTimes]:
    """Run `rounds` counted rounds (plus one warm-up) on both stacks; return the samples."""
    times = {name: CommandTimes(name) for name in COMMANDS}
    with (
        tempfile.TemporaryDirectory(prefix="scim-bench-") as tmp,
        EmulatorProcess(Path(tmp) / "emulator", test_hooks=True) as emulator,
    ):
        stacks = {which: _stack(Path(tmp) / which, code, emulator) for which, code in PROGRAMS}
        for round_ in range(rounds + 1):
            progress(f"round {round_}/{rounds}" + (" (warm-up)" if round_ == 0 else ""))
            order = ["ours", "bare"] if round_ % 2 else ["bare", "ours"]
            for name, command in COMMANDS.items():
                for which in order:
                    _clear_requests(emulator)
                    sample = _timed(command, stacks[which])
                    if round_ > 0:
                        getattr(times[name], which).append(sample)
                    if which == "ours":
                        times[name].dashboard_calls = _requests(emulator)
    return list(times.values())


def _stack(work: Path, program: Path, emulator: EmulatorProcess) -> LocalStack:
    """A stack of `program` in its own project, backend and PULUMI_HOME under `work`."""
    project = python_project(work / "project", program.read_text(), Path(sys.prefix))
    stack = LocalStack(project, work, "bench", timeout=COMMAND_TIMEOUT_S)
    stack.init()
    stack.set_config("dashboard:url", emulator.url)
    stack.set_config("dashboard:apiToken", emulator.admin_token, secret=True)
    return stack


def _timed(command: Callable[[LocalStack], Any], stack: LocalStack) -> Sample:
    started, cpu = time.perf_counter(), _children_cpu_s()
    command(stack)
    return Sample(time.perf_counter() - started, _children_cpu_s() - cpu)


def _children_cpu_s() -> float:
    """CPU time of all finished child processes and their waited-for descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _clear_requests(emulator: EmulatorProcess) -> None:
    requests.delete(f"{emulator.url}/_emulator/requests", timeout=10).raise_for_status()


def _requests(emulator: EmulatorProcess) -> list[str]:
    """The Dashboard calls since the log was cleared, as `METHOD /path`."""
    response = requests.get(f"{emulator.url}/_emulator/requests", timeout=10)
    response.raise_for_status()
    return [f"{item['method']} {item['path']}" for item in response.json()["items"]]


def render(times: list[CommandTimes]) -> str:
    """A plain-text table: wall and CPU medians, the wall ratio, our Dashboard calls."""
    lines = [
        f"{'command':<10}{'ours s':>8}{'bare s':>8}{'ratio':>7}"
        f"{'ours CPU s':>12}{'bare CPU s':>12}  Dashboard calls"
    ]
    for t in times:
        lines.append(
            f"{t.command:<10}{t.median('ours'):>8.2f}{t.median('bare'):>8.2f}{t.ratio():>7.2f}"
            f"{t.median('ours', 'cpu_s'):>12.2f}{t.median('bare', 'cpu_s'):>12.2f}"
            f"  {len(t.dashboard_calls)}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="pulumi commands: our stack vs a bare program")
    parser.add_argument("--rounds", type=int, default=5, help="counted rounds (after a warm-up)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    times = measure(args.rounds, progress=lambda line: print(line, file=sys.stderr))
    if args.json:
        print(json.dumps([t.summary() for t in times]))
    else:
        print(render(times))


if __name__ == "__main__":
    main()
