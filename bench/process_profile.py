"""Where the CPU of our program and of the dynamic-provider process goes, stage by stage.

    .venv/bin/python -m bench.process_profile [--runs 5] [--top 12]

Each run is a fresh interpreter that repeats what the real process does, in its order, and notes
`time.process_time()` (user + system CPU of the process, which other work on a shared machine
does not inflate the way it does wall time) after each stage:

- the program, as the language host's `pulumi-language-python-exec` runs `__main__.py`: the SDK
  the host imports itself, then our imports, then validating a Dashboard-only stack config;
- the dynamic-provider process, as `python -m pulumi.dynamic` serves our three Dashboard
  resources: the server's own imports, then the modules unpickling our providers loads, then
  `requests` (imported by the first Dashboard call).

The stages the bare program (`bench/bare_program`) shares are measured too, so the rest is ours.
A second pass runs the same scripts under `-X importtime` and lists the modules the bare
program's process does not load, by self time (wall time, so only a ranking on a loaded
machine); one run of config validation under `cProfile` with a CPU clock gives its largest
cumulative costs. Medians over `--runs` runs; nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRELUDE = """
import json, sys, time
marks = [("interpreter start-up", time.process_time())]
def mark(name):
    marks.append((name, time.process_time()))
"""

PROGRAM = (
    PRELUDE
    + """
import argparse, asyncio, inspect, logging, runpy, traceback
import pulumi, pulumi.runtime, pulumi.dynamic
mark("language host: pulumi, pulumi.runtime, pulumi.dynamic (bare pays it)")
import pydantic
mark("pydantic")
import providers.dashboard.scim_settings
mark("providers (package: client, connection, scim_settings, scim_token)")
import components.config_model
mark("components.config_model (and the checks' modules it imports)")
import components.stack_config
mark("components.stack_config (and components.dashboard_scim)")
import components.dashboard_scim, components.health_outputs
mark("components.health_outputs")
from components.stack_config import parse_stack_config
parse_stack_config(
    {"dashboard:url": "http://127.0.0.1:8000", "dashboard:apiToken": "adm"},
    ["dashboard:apiToken"],
    {},
)
mark("validating a Dashboard-only config (builds its models)")
print(json.dumps(marks))
"""
)

PROVIDER = (
    PRELUDE
    + """
import asyncio, base64, dill, grpc
from google.protobuf import empty_pb2
from pulumi.runtime import configure, proto, rpc, Settings
from pulumi.runtime.proto import provider_pb2_grpc
from pulumi.dynamic import ResourceProvider, ConfigureRequest, Config
mark("provider server: dill, grpc, pulumi.runtime, pulumi.dynamic (bare pays it)")
import providers.dashboard.scim_settings
mark("unpickling ScimSettingsProvider: providers, providers.dashboard.*")
import providers.dashboard.scim_token, providers.dashboard.connection_test
mark("unpickling ScimTokenProvider, ScimConnectionTestProvider")
import requests
mark("requests (the first Dashboard call)")
print(json.dumps(marks))
"""
)

VALIDATION_PROFILE = """
import cProfile, pstats, time
from components.stack_config import parse_stack_config
config = {"dashboard:url": "http://127.0.0.1:8000", "dashboard:apiToken": "adm"}
profile = cProfile.Profile(time.process_time)
profile.runcall(parse_stack_config, config, ["dashboard:apiToken"], {})
pstats.Stats(profile).sort_stats("cumulative").print_stats(15)
"""

PROCESSES = {"program": PROGRAM, "dynamic provider": PROVIDER}
IMPORT_TIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def stage_costs(script: str, runs: int) -> dict[str, float]:
    """Median CPU ms of each stage of `script` over `runs` fresh interpreters."""
    costs: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        marks = json.loads(_run([sys.executable, "-c", script]).stdout.splitlines()[-1])
        costs[marks[0][0]].append(marks[0][1] * 1000)
        for (_, before), (name, after) in itertools.pairwise(marks):
            costs[name].append((after - before) * 1000)
    return {name: statistics.median(values) for name, values in costs.items()}


def import_self_times(script: str, runs: int, top: int) -> list[tuple[str, float]]:
    """The `top` modules by median `-X importtime` self time (ms) over `runs` interpreters,
    leaving out those the bare program's process loads too (the script's first stage)."""
    shared = script[: script.index("mark(", len(PRELUDE))]
    bare = _run([sys.executable, "-X", "importtime", "-c", shared]).stderr
    theirs = {match[4] for match in IMPORT_TIME.finditer(bare)}
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        stderr = _run([sys.executable, "-X", "importtime", "-c", script]).stderr
        for match in IMPORT_TIME.finditer(stderr):
            if match[4] not in theirs:
                times[match[4]].append(int(match[1]) / 1000)
    medians = {name: statistics.median(v + [0.0] * (runs - len(v))) for name, v in times.items()}
    return sorted(medians.items(), key=lambda item: -item[1])[:top]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="CPU per stage of the program and provider")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    for process, script in PROCESSES.items():
        costs = stage_costs(script, args.runs)
        print(f"\n{process}: median CPU ms per stage ({args.runs} runs)")
        for name, ms in costs.items():
            print(f"  {ms:7.1f}  {name}")
        print(f"  {sum(costs.values()):7.1f}  total (sum of the medians)")
        print(f"{process}: largest -X importtime self times beyond the bare process, median ms")
        for name, ms in import_self_times(script, args.runs, args.top):
            print(f"  {ms:7.1f}  {name}")
    print("\nvalidating a Dashboard-only config under cProfile (CPU clock), cumulative:")
    print(_run([sys.executable, "-c", VALIDATION_PROFILE]).stdout)


if __name__ == "__main__":
    main()
