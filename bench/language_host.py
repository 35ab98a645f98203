"""`pulumi preview` wall time of the Dashboard-only stack with two builds of the language host.

    .venv/bin/python bench/language_host.py OLD_BIN NEW_BIN [--runs 5]

OLD_BIN and NEW_BIN are directories that scripts/install-pulumi printed for two versions of
scripts/pulumi-language-python/main.go (the CLI in both is the same build). Deploys the engine
tests' stack once against a fresh emulator, then runs `pulumi preview` alternately with each
(paired runs, so load from other processes hits both alike) and prints each run and the medians.
Also times the two RPCs that changed, About and GetRequiredPackages, on each host directly.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime.proto import language_pb2, language_pb2_grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import project_dir


def timed_preview(stack: LocalStack, bin_dir: Path) -> float:
    stack.env["PATH"] = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    started = time.perf_counter()
    stack.preview()
    return time.perf_counter() - started


def rpc_medians(bin_dir: Path, root: Path, runs: int) -> dict[str, float]:
    """Median milliseconds of About and GetRequiredPackages on this project's venv."""
    options = struct_pb2.Struct()
    options.update({"toolchain": "pip", "virtualenv": str(root / ".venv")})
    info = language_pb2.ProgramInfo(
        root_directory=str(root), program_directory=str(root), entry_point=".", options=options
    )
    host = subprocess.Popen([str(bin_dir / "pulumi-language-python")], stdout=subprocess.PIPE)
    try:
        assert host.stdout is not None
        with grpc.insecure_channel(f"127.0.0.1:{int(host.stdout.readline())}") as channel:
            stub = language_pb2_grpc.LanguageRuntimeStub(channel)
            calls: dict[str, Callable[[], object]] = {
                "About": lambda: stub.About(language_pb2.AboutRequest(info=info)),
                "GetRequiredPackages": lambda: stub.GetRequiredPackages(
                    language_pb2.GetRequiredPackagesRequest(info=info)
                ),
            }
            return {name: _median_ms(call, runs) for name, call in calls.items()}
    finally:
        host.terminate()
        host.wait(timeout=10)


def _median_ms(call: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description="Preview time with two language host builds.")
    parser.add_argument("old_bin", type=Path)
    parser.add_argument("new_bin", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-langhost-") as tmp:
        work = Path(tmp)
        with EmulatorProcess(work / "emulator") as emulator:
            stack = LocalStack(project_dir(work), work, "engine")
            stack.env["PATH"] = f"{args.new_bin}{os.pathsep}{os.environ['PATH']}"
            stack.init()
            stack.set_config("dashboard:url", emulator.url)
            stack.set_config("dashboard:apiToken", emulator.admin_token, secret=True)
            stack.up()
            timed_preview(stack, args.new_bin)  # warm the file cache for both
            times: dict[str, list[float]] = {"old": [], "new": []}
            for run in range(args.runs):
                old = timed_preview(stack, args.old_bin)
                new = timed_preview(stack, args.new_bin)
                times["old"].append(old)
                times["new"].append(new)
                print(f"run {run + 1}: old {old:.2f} s, new {new:.2f} s")
            stack.destroy()
    old, new = statistics.median(times["old"]), statistics.median(times["new"])
    print(f"median pulumi preview: old host {old:.2f} s, new host {new:.2f} s ({new / old:.2f}x)")
    root = Path(__file__).resolve().parents[1]
    rpcs = {
        label: rpc_medians(b, root, args.runs)
        for label, b in (("old", args.old_bin), ("new", args.new_bin))
    }
    for name in rpcs["old"]:
        print(
            f"median {name}: old host {rpcs['old'][name]:.0f} ms, "
            f"new host {rpcs['new'][name]:.0f} ms"
        )


if __name__ == "__main__":
    main()
