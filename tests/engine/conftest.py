"""The real Pulumi CLI against the emulator: local file backend, a temporary project per module.

In CI these tests must run; on a laptop without the CLI they skip with a message saying how to get
it (`scripts/install-pulumi`, which `make test` calls).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, python_project

ROOT = Path(__file__).resolve().parents[2]
NO_CLI = (
    "the Pulumi CLI is not on PATH: run the suite with `make test`, which gets it through "
    "scripts/install-pulumi (a cached or fresh build from Go modules), or put `pulumi` 3.x on PATH"
)


@pytest.fixture(scope="session")
def pulumi_cli() -> str:
    path = shutil.which("pulumi")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"engine tests must run in CI, but {NO_CLI}", pytrace=False)
        pytest.skip(NO_CLI)
    return path


def project_dir(work: Path, program: str | None = None) -> Path:
    """A copy of this project (the stack program, or `program`) using the repository's venv."""
    text = (ROOT / "__main__.py").read_text() if program is None else program
    return python_project(work / "project", text, ROOT / ".venv")


def dashboard_stack(
    work: Path,
    emulator: EmulatorProcess,
    program: str | None = None,
    name: str = "engine",
    graph: FakeGraphProcess | None = None,
) -> LocalStack:
    """A stack on the passphrase secrets provider (`LocalStack.init`), as operators set one up,
    pointed at `emulator` (and, given `graph`, signing in to that fake Graph)."""
    stack = LocalStack(project_dir(work, program), work, name)
    if graph is not None:
        stack.env.update(graph.environment())
    stack.init()
    stack.set_config("dashboard:url", emulator.url)
    stack.set_config("dashboard:apiToken", emulator.admin_token, secret=True)
    return stack


def new_stack(
    work: Path,
    emulator: EmulatorProcess,
    program: str | None = None,
) -> Iterator[LocalStack]:
    """`dashboard_stack`, as a fixture's generator."""
    yield dashboard_stack(work, emulator, program)
    # No `destroy`: before the next module the emulator is reset (or stopped, if it was the
    # module's own), and the backend and config live in `work`, a temporary directory.


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str, emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    """A Dashboard-step-only stack of the real program, pointed at this module's emulator."""
    yield from new_stack(tmp_path_factory.mktemp("engine"), emulator)
