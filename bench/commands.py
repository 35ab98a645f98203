"""Wall time of each `pulumi` command on our stacks against bare programs.

    .venv/bin/python -m bench.commands [--rounds 5] [--json] [--whole-setup]

Two stacks on local file backends in one temporary directory: ours (this project's `__main__.py`
against an emulator started with `--test-hooks`) and the bare program of `bench/bare_program/`
(the same resources, no HTTP). Each round runs preview, first up, no-op up, refresh and destroy on
both, the two runs of a command back to back and the order flipped every round, so both see the
same load on a shared machine. A first round warms the caches and is not counted. The emulator's
request log gives the Dashboard calls each of our commands made.

The whole setup (`measure_whole_setup`, `--whole-setup`): first up, no-op up and refresh of our
program with an `entra` section against the bare Dashboard program with the same azuread
resources appended (`bench/bare_entra_program/`), both on the azuread stand-in plugin and one
fake Graph (its waits scaled to a hundredth, the fake's replication lag off, so sleeping counts
little); each round ends by destroying both stacks, untimed. The fake Graph's request log gives
the Graph calls each program made.

Needs the Pulumi CLI on PATH (`make bench` puts it there). Every command has a timeout; the
emulator, the stacks and their backends live in one temporary directory, removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
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

from scim_setup.emulator.azuread import PLUGIN_DIR
from scim_setup.emulator.azuread.timing import TIME_SCALE_ENV
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, python_project

ROOT = Path(__file__).resolve().parents[1]
OURS = ROOT / "__main__.py"
BARE = ROOT / "bench" / "bare_program" / "__main__.py"
PROGRAMS = (("ours", OURS), ("bare", BARE))
BARE_ENTRA = ROOT / "bench" / "bare_entra_program" / "entra_step.py"
COMMAND_TIMEOUT_S = 180

COMMANDS: dict[str, Callable[[LocalStack], Any]] = {
    "preview": lambda stack: stack.preview(),
    "first up": lambda stack: stack.up(),
    "no-op up": lambda stack: stack.up(),
    "refresh": lambda stack: stack.refresh(),
    "destroy": lambda stack: stack.destroy(),
}

WHOLE_SETUP = "whole setup: "
"""The prefix of the whole-setup rows' command names."""
WHOLE_SETUP_COMMANDS: dict[str, Callable[[LocalStack], Any]] = {
    "first up": lambda stack: stack.up(),
    "no-op up": lambda stack: stack.up(),
    "refresh": lambda stack: stack.refresh(),
}
AZUREAD_TIME_SCALE = "0.01"
GROUP = "b3c40000-0000-4000-8000-00000000a001"
USER = {
    "id": "b3c40000-0000-4000-8000-000000000001",
    "userPrincipalName": "ada@contoso.onmicrosoft.com",
    "mailNickname": "ada",
    "displayName": "Ada Lovelace",
    "assigned": False,
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
    graph_calls: dict[str, list[str]] = field(default_factory=dict)
    """The Graph calls each program made (`ours`, `bare`), for the whole-setup rows."""

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


def measure_whole_setup(
    rounds: int = 3, progress: Callable[[str], None] = print
) -> list[CommandTimes]:
    """`rounds` counted rounds (plus a warm-up) of first up, no-op up and refresh of the whole
    setup, ours against the bare program; both stacks are destroyed after each round."""
    times = {name: CommandTimes(WHOLE_SETUP + name) for name in WHOLE_SETUP_COMMANDS}
    with (
        tempfile.TemporaryDirectory(prefix="scim-bench-entra-") as tmp,
        EmulatorProcess(Path(tmp) / "emulator", test_hooks=True) as emulator,
        FakeGraphProcess(Path(tmp) / "graph", extra_args=["--replication-lag", "0"]) as graph,
    ):
        graph.add_users(USER)
        graph.add_groups({"id": GROUP, "displayName": "Backup users", "members": [USER["id"]]})
        programs = {"ours": OURS.read_text(), "bare": bare_entra_program()}
        stacks = {
            which: _entra_stack(Path(tmp) / which, code, emulator, graph)
            for which, code in programs.items()
        }
        for round_ in range(rounds + 1):
            progress(
                f"whole setup: round {round_}/{rounds}" + (" (warm-up)" if round_ == 0 else "")
            )
            order = ["ours", "bare"] if round_ % 2 else ["bare", "ours"]
            for name, command in WHOLE_SETUP_COMMANDS.items():
                for which in order:
                    _clear_requests(emulator)
                    seen = len(graph.requests())
                    sample = _timed(command, stacks[which])
                    if round_ > 0:
                        getattr(times[name], which).append(sample)
                    times[name].graph_calls[which] = graph_calls(graph.requests()[seen:])
                    if which == "ours":
                        times[name].dashboard_calls = _requests(emulator)
            for which in order:
                stacks[which].destroy()
    return list(times.values())


def bare_entra_program() -> str:
    """The bare Dashboard program with the bare Entra step appended, called with its outputs."""
    return (
        f"{BARE.read_text()}\n\n{BARE_ENTRA.read_text()}\n\n"
        "entra_step(setup.tenant_url, setup.token)\n"
    )


def graph_calls(logged: list[dict[str, Any]]) -> list[str]:
    """`METHOD /path` of each Graph API call in the fake Graph's request log (sign-ins and
    its own `/_fake` routes left out)."""
    return [
        f"{item['method']} {item['path']}"
        for item in logged
        if item["path"].startswith(("/v1.0/", "/beta/"))
    ]


def _entra_stack(
    work: Path, program: str, emulator: EmulatorProcess, graph: FakeGraphProcess
) -> LocalStack:
    """A stack of `program` with an `entra` section, on the stand-in plugin and `graph`."""
    project = python_project(work / "project", program, Path(sys.prefix))
    stack = LocalStack(project, work, "bench", timeout=COMMAND_TIMEOUT_S)
    stack.env.update(graph.environment())
    stack.env["PATH"] = os.pathsep.join([str(PLUGIN_DIR), stack.env.get("PATH", "")])
    stack.env[TIME_SCALE_ENV] = AZUREAD_TIME_SCALE
    _configure(stack, emulator)
    stack.set_object_config("entra:application", {"displayName": "Backup SCIM"})
    stack.set_object_config("entra:assignedGroups", [GROUP])
    return stack


def _stack(work: Path, program: Path, emulator: EmulatorProcess) -> LocalStack:
    """A stack of `program` in its own project, backend and PULUMI_HOME under `work`."""
    project = python_project(work / "project", program.read_text(), Path(sys.prefix))
    stack = LocalStack(project, work, "bench", timeout=COMMAND_TIMEOUT_S)
    _configure(stack, emulator)
    return stack


def _configure(stack: LocalStack, emulator: EmulatorProcess) -> None:
    stack.init()
    stack.set_config("dashboard:url", emulator.url)
    stack.set_config("dashboard:apiToken", emulator.admin_token, secret=True)


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
    """A plain-text table: wall and CPU medians, the wall ratio, our Dashboard calls (and the
    Graph calls of ours and bare, for the whole setup)."""
    width = max(len(t.command) for t in times) + 2
    lines = [
        f"{'command':<{width}}{'ours s':>8}{'bare s':>8}{'ratio':>7}"
        f"{'ours CPU s':>12}{'bare CPU s':>12}  Dashboard calls  Graph calls ours/bare"
    ]
    for t in times:
        graph = "/".join(str(len(t.graph_calls.get(w, []))) for w in ("ours", "bare"))
        lines.append(
            f"{t.command:<{width}}{t.median('ours'):>8.2f}{t.median('bare'):>8.2f}"
            f"{t.ratio():>7.2f}{t.median('ours', 'cpu_s'):>12.2f}"
            f"{t.median('bare', 'cpu_s'):>12.2f}  {len(t.dashboard_calls):>15}"
            f"  {graph if t.graph_calls else ''}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="pulumi commands: our stack vs a bare program")
    parser.add_argument("--rounds", type=int, default=5, help="counted rounds (after a warm-up)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--whole-setup", action="store_true", help="the whole setup's rows instead (entra section)"
    )
    args = parser.parse_args()
    run = measure_whole_setup if args.whole_setup else measure
    times = run(args.rounds, progress=lambda line: print(line, file=sys.stderr))
    if args.json:
        print(json.dumps([t.summary() for t in times]))
    else:
        print(render(times))


if __name__ == "__main__":
    main()
