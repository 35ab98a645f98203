"""Test Connection under the real engine: a failing Dashboard stops `pulumi up` with the reason.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The two tests run in order on one stack: the first leaves the `up` its failing Test Connection
stopped, which the second's `up` completes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import new_stack
from tests.support.dashboard import Dashboard
from tests.support.leaks import assert_not_leaked


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str, emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    yield from new_stack(tmp_path_factory.mktemp("test-connection"), emulator)


def test_up_fails_with_the_reason_when_the_dashboard_answers_test_connection_wrong(
    stack, dashboard: Dashboard
):
    dashboard.fault(method="GET", path="/scim/*", status=404, count=1)

    result = stack.run("up", "--yes", "--skip-preview", *stack.config_args(), check=False)

    assert result.returncode != 0
    assert 'Users?filter=userName eq "<random guid>") returned 404: no SCIM endpoint at this ' in (
        result.stdout
    )
    assert "Traceback" not in result.stdout  # an expected failure is one line
    assert "test_connection" not in stack.outputs()


def test_next_up_tests_again_and_exports_the_result(stack, dashboard: Dashboard):
    dashboard.clear_requests()

    stack.up()

    outputs = stack.outputs()
    assert outputs["test_connection"]["result"] == "passed"
    probes = [r for r in dashboard.requests() if r["path"].endswith("/Users")]
    assert [(r["method"], r["status"]) for r in probes] == [("GET", 200)]
    token = stack.outputs(show_secrets=True)["token"]
    assert_not_leaked(stack.transcript(), token, "the pulumi CLI's output")
    assert_not_leaked(stack.export(), token, "the stack's state")
