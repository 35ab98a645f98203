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

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from emulator.process import EmulatorProcess
from tests.dashboard import Dashboard
from tests.fault_rows import print_fault_table
from tests.transit_vault import TransitVault

RESET_TIMEOUT_S = 90
"""Longer than a reset may wait for requests still in progress (`emulator.control_api`)."""


def pytest_configure(config: pytest.Config) -> None:
    """The suite starts the Go `pulumi` CLI some 300 times, each for a second or so; collecting
    garbage less often (GOGC=400, default 100) saves ~7 % of their CPU. Inherited by the workers
    and every CLI they start; an explicit GOGC wins."""
    os.environ.setdefault("GOGC", "400")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers more than CPUs. Tests also wait (on the Retry-After, backoff and
    deadlines they prove, ~40 s in all; on servers starting and stopping); the spare workers keep
    the cores busy meanwhile. On 2 cores, 4 workers took 77-86 s, 3 workers 81-86 s."""
    return len(os.sched_getaffinity(0)) + 2


SHARED_SESSION_DIRS = ("tests/faults/",)
"""Test packages whose modules share session fixtures (the fault suite's emulator and `blue`)."""

LONGEST_FIRST = ("tests/fleet/test_fleet.py", "tests/faults/")
"""The longest work units, started first: `fleet` takes ~60 s of one worker and the fault suite
~48 s (mostly the backoff and deadlines they prove), against ~235 s of worker time for the whole
suite. In xdist's own order (most tests first) they came late and could run alone at the end."""


CRITICAL_PATH_NICE = 10
"""How much a worker yields the CPU once it runs anything but LONGEST_FIRST (see below)."""


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """The suite is CPU-bound, and `fleet` alone takes most of its length: at an equal share of the
    cores it ended last, seconds after the rest. So an xdist worker lowers its priority (and that of
    the processes it starts) before it runs a test of any other file; the LONGEST_FIRST files run
    at normal priority and the other workers fill the cores around them. Priority only rises by
    privilege, so a worker that finished its long file stays lowered for the rest."""
    if "PYTEST_XDIST_WORKER" in os.environ and not item.nodeid.startswith(LONGEST_FIRST):
        current = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, max(current, CRITICAL_PATH_NICE))


@pytest.hookimpl(optionalhook=True)  # a known hook only while pytest-xdist is loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile`, but each of SHARED_SESSION_DIRS goes to one worker as a whole, so that
    its session fixtures are set up once rather than once per worker, and LONGEST_FIRST go first.

    A worker gets its next file when one test of its current file is left, not two: the next file
    waits behind what is left, and the last two tests of `fleet` take ~10 s, while the other
    workers, their queue empty, stop. (One must be left: a worker runs a test only once it knows
    the next, or that there is none.)"""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return next((d for d in SHARED_SESSION_DIRS if scope.startswith(d)), scope)

        def _assign_work_unit(self, node: Any) -> None:
            for scope in reversed(LONGEST_FIRST):
                if scope in self.workqueue:
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

        def _reschedule(self, node: Any) -> None:
            if self.workqueue and self._pending_of(self.assigned_work[node]) > 1:
                return
            super()._reschedule(node)

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
