"""Wall time and memory of `scim-setup fleet up` and `fleet preview` as the fleet grows.

    .venv/bin/python -m bench.fleet [--customers 1,10,50] [--parallel 1,2,4] [--json FILE]

Needs the Pulumi CLI on PATH (`make bench-fleet` gets it). For each fleet size N it starts N
emulator processes (one Dashboard per customer), adds N customer stacks with `scim-setup fleet
add` on a local file backend, then for each --parallel P measures, on the installed console
script:

- `fleet up` creating every customer's Dashboard step;
- `fleet preview` right after (nothing to change: what a pull-request pipeline runs);

and then runs `fleet destroy` (not measured) so the next P starts from empty stacks again. Peak
memory is the largest sum of resident memory over the fleet command and all its descendants
(Pulumi CLIs, language hosts, programs, dynamic providers), sampled every 100 ms; the emulators
are not counted. At the end it fits seconds = a + slope * N per command and P: the slope is the
cost of one more customer, 60 / slope the customers per minute one machine sustains.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, project_copy

SCRIPT = Path(sys.executable).parent / "scim-setup"
SAMPLE_SECONDS = 0.1


@dataclass
class Measurement:
    customers: int
    parallel: int
    command: str
    seconds: float
    peak_mb: float
    exit_code: int


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of `process` and every descendant alive right now."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with suppress(psutil.Error):
            total += member.memory_info().rss
    return total


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Run a command; wall seconds, peak MB of its process tree, exit code."""
    peak = 0
    started = time.perf_counter()
    child = subprocess.Popen(
        args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    watched = psutil.Process(child.pid)
    while child.poll() is None:
        with suppress(psutil.Error):
            peak = max(peak, tree_rss(watched))
        time.sleep(SAMPLE_SECONDS)
    return time.perf_counter() - started, peak / 2**20, child.returncode


class BenchFleet:
    """N customers: N emulators, N stacks in one local backend, one project copy."""

    def __init__(self, work: Path, emulators: list[EmulatorProcess]) -> None:
        self.project = project_copy(work)
        self.env = dict(LocalStack(self.project, work, "unused").env)
        self.emulators = emulators

    def fleet(self, *args: str) -> list[str]:
        return [str(SCRIPT), "fleet", *args]

    def add_customers(self) -> None:
        for index, emulator in enumerate(self.emulators):
            self.env[f"BENCH_TOKEN_{index}"] = emulator.admin_token
            name = f"customer-{index:03d}"
            subprocess.run(
                self.fleet(
                    "add", name, "--dashboard-url", emulator.url,
                    "--api-token-env", f"BENCH_TOKEN_{index}",
                ),
                cwd=self.project, env=self.env, check=True, capture_output=True,
            )  # fmt: skip

    def measure(self, customers: int, parallel: int, command: str) -> Measurement:
        extra = ["--yes"] if command == "destroy" else []
        args = self.fleet(command, "--parallel", str(parallel), *extra)
        seconds, peak_mb, code = timed(args, self.project, self.env)
        return Measurement(customers, parallel, command, round(seconds, 2), round(peak_mb), code)


def bench_size(customers: int, parallels: list[int], work: Path) -> list[Measurement]:
    results: list[Measurement] = []
    with ExitStack() as stack:
        emulators = [
            stack.enter_context(EmulatorProcess(work / f"dashboard-{i}")) for i in range(customers)
        ]
        fleet = BenchFleet(work, emulators)
        fleet.add_customers()
        for parallel in parallels:
            for command in ("up", "preview"):
                result = fleet.measure(customers, parallel, command)
                print(json.dumps(asdict(result)), flush=True)
                results.append(result)
            reset = fleet.measure(customers, 4, "destroy")
            if reset.exit_code != 0:
                raise SystemExit(f"fleet destroy failed ({reset.exit_code}); see {work}")
    return results


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares seconds per customer; None with fewer than two fleet sizes."""
    if len({n for n, _ in points}) < 2:
        return None
    mean_n = sum(n for n, _ in points) / len(points)
    mean_s = sum(s for _, s in points) / len(points)
    num = sum((n - mean_n) * (s - mean_s) for n, s in points)
    return num / sum((n - mean_n) ** 2 for n, _ in points)


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = psutil.virtual_memory().total / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB; load average at start {load}"


def print_tables(results: list[Measurement]) -> None:
    print("\n| customers | --parallel | command | wall s | s/customer | peak MB | exit |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for r in results:
        per = r.seconds / r.customers
        print(
            f"| {r.customers} | {r.parallel} | {r.command} | {r.seconds:.1f} | {per:.2f} "
            f"| {r.peak_mb:.0f} | {r.exit_code} |"
        )
    print("\n| command | --parallel | slope s/customer | customers/minute |")
    print("|---|---:|---:|---:|")
    for command in ("up", "preview"):
        for parallel in sorted({r.parallel for r in results}):
            points = [
                (r.customers, r.seconds)
                for r in results
                if r.command == command and r.parallel == parallel
            ]
            per = slope(points)
            if per is not None:
                print(f"| {command} | {parallel} | {per:.2f} | {60 / per:.1f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description="Fleet wall time and memory.")
    parser.add_argument("--customers", default="1,10,50", help="fleet sizes (default 1,10,50)")
    parser.add_argument("--parallel", default="1,2,4", help="--parallel values (default 1,2,4)")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    args = parser.parse_args()
    if shutil.which("pulumi") is None:
        raise SystemExit("bench/fleet.py: the Pulumi CLI is not on PATH; run `make bench-fleet`")
    sizes = [int(n) for n in args.customers.split(",")]
    parallels = [int(p) for p in args.parallel.split(",")]
    print(f"machine: {machine()}", flush=True)
    results: list[Measurement] = []
    for customers in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-fleet-") as work:
            results += bench_size(customers, parallels, Path(work))
    print_tables(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
