"""Fixtures shared by every test package: a real emulator on a free port.

The emulator runs in a subprocess (`EmulatorProcess`) with its test hooks on,
over a temporary data directory. Each pytest (xdist) worker starts one and its
test modules take turns with it: `emulator` resets it (`POST /_emulator/reset`)
when a module first asks for it, so every module sees what a newly started
emulator shows, except that the URL, the admin and viewer tokens and the
tenant id stay the process's; its `log_text()` starts at the reset. The tests
of one module share it: they must not depend on each other's data (use unique
names) unless the module says they run in order.

A module that needs a process of its own (it stops or restarts it, or starts
it with other options) says so with
`pytestmark = pytest.mark.own_emulator` or starts an `EmulatorProcess` itself.

No module's data can reach the next one. pytest tears a module's fixtures down
(`pulumi destroy` of its stacks included) before it sets up anything of the
next module, so they finish before the next module's reset; xdist keeps that
order (a worker runs each test knowing the next). A fixture wider than a module
cannot use `emulator` at all (pytest refuses the scope mismatch). And a request
still running on the server when the next module starts, held by a fault's
delay after its client gave up, is answered before the reset empties the store.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scim_setup.cpus import usable_cpus
from scim_setup.emulator.process import EmulatorProcess
from tests.support.dashboard import Dashboard
from tests.support.fault_rows import print_fault_table

RESET_TIMEOUT_S = 90
"""Longer than a reset may wait for requests still in progress (the emulator's control API)."""


@pytest.hookimpl(optionalhook=True)  # a known hook only while pytest-xdist is loaded
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers more than CPUs. Tests also wait (on the Retry-After, backoff and
    deadlines they prove; on servers starting and stopping), and the spare workers keep the cores
    busy meanwhile."""
    return usable_cpus() + 2


def new_emulator(tmp_path_factory: pytest.TempPathFactory) -> EmulatorProcess:
    """An emulator with `--test-hooks` over a new temporary data directory, to start with `with`."""
    return EmulatorProcess(tmp_path_factory.mktemp("emulator"), test_hooks=True)


@pytest.fixture(scope="session")
def worker_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """This worker's emulator process, which its modules take turns with through `emulator`."""
    with new_emulator(tmp_path_factory) as process:
        yield process


@pytest.fixture(scope="module")
def emulator(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmulatorProcess]:
    """A running emulator with `--test-hooks`, as newly started, for this test module.

    The worker's process, reset; or, in a module marked `own_emulator`, a process of its own.
    """
    if request.node.get_closest_marker("own_emulator"):
        with new_emulator(tmp_path_factory) as process:
            yield process
        return
    shared: EmulatorProcess = request.getfixturevalue("worker_emulator")
    if not shared.running:
        pytest.fail(
            "the worker's shared emulator has stopped: a module that stops, restarts or kills it"
            " needs `pytestmark = pytest.mark.own_emulator`",
            pytrace=False,
        )
    requests.post(f"{shared.url}/_emulator/reset", timeout=RESET_TIMEOUT_S).raise_for_status()
    shared.mark_log()
    yield shared


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
