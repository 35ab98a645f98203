"""Fixtures shared by every test package: a real emulator on a free port.

The emulator runs in a subprocess (`EmulatorProcess`) with its test hooks on,
over a temporary data directory, for the duration of one test module. Tests
that share it must not depend on each other's data: use unique names.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from emulator.process import EmulatorProcess
from tests.dashboard import Dashboard
from tests.fault_rows import print_fault_table
from tests.transit_vault import TransitVault


def pytest_configure(config: pytest.Config) -> None:
    """The suite starts the Go `pulumi` CLI some 300 times, each for a second or so; collecting
    garbage less often (GOGC=400, default 100) saves ~7 % of their CPU. Inherited by the workers
    and every CLI they start; an explicit GOGC wins."""
    os.environ.setdefault("GOGC", "400")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than CPUs. Tests also wait (on the Retry-After and backoff they
    prove, on servers starting and stopping); the spare worker keeps the cores busy meanwhile."""
    return len(os.sched_getaffinity(0)) + 1


SHARED_SESSION_DIRS = ("tests/faults/",)
"""Test packages whose modules share session fixtures (the fault suite's emulator and `blue`)."""


@pytest.hookimpl(optionalhook=True)  # a known hook only while pytest-xdist is loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile`, but each of SHARED_SESSION_DIRS goes to one worker as a whole, so that
    its session fixtures are set up once rather than once per worker."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return next((d for d in SHARED_SESSION_DIRS if scope.startswith(d)), scope)

    return Scheduling(config, log)


@pytest.fixture(scope="session", autouse=True)
def transit_vault() -> Iterator[TransitVault]:
    """The key service of the tests' stacks (`SECRETS_PROVIDER`), one per worker; every `pulumi`
    the tests start finds it through the environment."""
    with TransitVault() as vault:
        saved = {name: os.environ.get(name) for name in vault.environment()}
        os.environ.update(vault.environment())
        yield vault
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """A running emulator with `--test-hooks`, started once per test module."""
    with EmulatorProcess(tmp_path_factory.mktemp("emulator"), test_hooks=True) as process:
        yield process


@pytest.fixture
def admin_session(emulator: EmulatorProcess) -> Iterator[requests.Session]:
    """A `requests.Session` sending the emulator's admin API token."""
    with emulator.admin_session() as session:
        yield session


@pytest.fixture
def dashboard(emulator: EmulatorProcess) -> Iterator[Dashboard]:
    """The emulator seen through its admin API and test hooks, with no faults pending."""
    dash = Dashboard(emulator.url, emulator.admin_token)
    dash.clear_faults()
    yield dash
    dash.clear_faults()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    print_fault_table(terminalreporter)
