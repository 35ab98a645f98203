"""The fault suite: the real Pulumi CLI against the emulator while the network or people misbehave.

PYTEST_DONT_REWRITE: these fixtures hold real tokens; a failing assertion must not print them.

Each test injects one fault (emulator hooks, a loopback drip server, a second stack, a person in
the UI), runs the failing command, then one more `pulumi up`, and proves convergence: the Dashboard
holds the desired settings and exactly one active token, that token is the stack's and it works at
the tenant URL. Every secret seen is remembered; `assert_nothing_leaked` proves none reached the
CLI's output, the state or the emulator's log. Each fault's outcome, requests and time are
recorded and printed as a table at the end of the run (`tests/support/fault_rows.py`, also under
xdist).

Each module stands alone: it gets an emulator as newly started (`emulator`, `tests/conftest.py`)
and a `blue` stack of its own, so the modules run in any order and on any worker. A module's tests
run top to bottom on that stack, each leaving it converged.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import project_dir, pulumi_cli  # noqa: F401  (fixture re-export)
from tests.support.dashboard import Dashboard
from tests.support.entra_stack import scim_token
from tests.support.fault_rows import PROPERTY
from tests.support.leaks import assert_not_leaked

DEFAULT_SIZE = 50


@dataclass
class FaultRecord:
    fault: str
    outcome: str
    requests: str
    seconds: float


RECORDS: list[FaultRecord] = []


def summarize(requests: list[dict[str, Any]]) -> str:
    """`GET 200, POST 0 x3, POST 201`: each admin request's method and status (0: dropped)."""
    runs: list[list[Any]] = []
    for request in requests:
        label = f"{request['method']} {request['status']}"
        if runs and runs[-1][0] == label:
            runs[-1][1] += 1
        else:
            runs.append([label, 1])
    return ", ".join(label if n == 1 else f"{label} x{n}" for label, n in runs) or "none"


@dataclass
class FaultStack:
    """One stack of the real program on its own file backend, and what it must never print."""

    stack: LocalStack
    dashboard: Dashboard
    emulator: EmulatorProcess
    size: int = DEFAULT_SIZE
    secrets: list[str] = field(default_factory=list, repr=False)

    @property
    def owner(self) -> str:
        return f"pulumi:organization/scim-setup/{self.stack.stack}"

    def timed(self, command: str, *extra: str) -> tuple[Any, float]:
        """Run `pulumi <command>` (up, preview, destroy) without failing; (result, seconds)."""
        args = {"up": ["up", "--yes", "--skip-preview"], "preview": ["preview"]}.get(
            command, [command, "--yes", "--skip-preview"]
        )
        started = time.monotonic()
        result = self.stack.run(*args, *self.stack.config_args(), *extra, check=False)
        return result, time.monotonic() - started

    def token(self) -> str:
        """The SCIM token in state (exported only by a Dashboard-only stack)."""
        token = scim_token(self.stack)
        self.secrets.append(token)
        return token

    def assert_converged(self) -> None:
        """Desired settings, one active token, the stack's, and it works at the tenant URL."""
        settings = self.dashboard.settings()
        outputs = self.stack.outputs()
        token = self.token()
        assert (settings["enabled"], settings["accountSizeGb"]) == (True, self.size)
        assert settings["owner"] == self.owner
        assert settings["token"] is not None, "the Dashboard holds no active token"
        assert settings["token"]["id"] == outputs["token_id"], "the active token is not in state"
        assert settings["token"]["label"] == self.owner
        assert outputs["tenant_url"] == settings["tenantUrl"]
        assert self.dashboard.scim_status(token) == 200

    def converge(self, fault: str, outcome: str = "converged") -> None:
        """One `pulumi up` that must succeed and converge, recorded as the fault's row."""
        self.dashboard.clear_requests()
        result, seconds = self.timed("up")
        assert result.returncode == 0, result.stdout + result.stderr
        self.record(fault, outcome, seconds)
        self.assert_converged()

    def record(self, fault: str, outcome: str, seconds: float, requests: str | None = None) -> None:
        """Remember a fault's row; by default the requests are those logged since the last clear."""
        if requests is None:
            admin = [r for r in self.dashboard.requests() if r["path"].startswith("/api/")]
            requests = summarize(admin)
        RECORDS.append(FaultRecord(fault, outcome, requests, seconds))

    def assert_nothing_leaked(self, *extra_secrets: str) -> None:
        texts = {
            "the pulumi CLI's output": self.stack.transcript(),
            "the stack's state": self.stack.export(),
            "the emulator log": self.emulator.log_text(),
            "the stack config file": self.stack.config_file.read_text(),
        }
        secrets = {*self.secrets, *extra_secrets, self.emulator.admin_token}
        assert len(secrets) >= 2
        for where, text in texts.items():
            for secret in secrets:
                assert_not_leaked(text, secret, where)


def fault_stack(
    work: Path,
    emulator: EmulatorProcess,
    name: str,
    dashboard: Dashboard,
    program: str | None = None,
) -> Iterator[FaultStack]:
    """A stack named `name` of the real program (or `program`), destroyed at the end."""
    stack = LocalStack(project_dir(work, program), work, name)
    stack.init()
    stack.set_config("dashboard:url", emulator.url)
    stack.set_config("dashboard:apiToken", emulator.admin_token, secret=True)
    yield FaultStack(stack, dashboard, emulator)
    stack.run("destroy", "--yes", "--skip-preview", *stack.config_args(), check=False)


@pytest.fixture(scope="module")
def blue(
    pulumi_cli: str,  # noqa: F811
    emulator: EmulatorProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FaultStack]:
    """The module's stack, `blue`, already up on the module's emulator; each test leaves it
    converged."""
    work = tmp_path_factory.mktemp("blue")
    dashboard = Dashboard(emulator.url, emulator.admin_token)
    for faulty in fault_stack(work, emulator, "blue", dashboard):
        faulty.stack.up()
        yield faulty


def one_line_error(output: str) -> str:
    """The provider's error line; fails when a Python traceback was printed instead."""
    assert "Traceback" not in output and 'File "' not in output, "a traceback was printed"
    for name in ("KeyError", "AttributeError", "JSONDecodeError", "TypeError"):
        assert name not in output, f"{name} surfaced in the CLI output"
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("error:")]
    assert lines, "no error line in the CLI output"
    return "\n".join(lines)


@pytest.fixture(autouse=True)
def _report_fault_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    """Hand this test's rows to its report; `tests/conftest.py` prints them at the end."""
    first = len(RECORDS)
    yield
    request.node.user_properties.extend((PROPERTY, asdict(r)) for r in RECORDS[first:])
