"""Issue 9, item 3: two stacks managing one Dashboard are detected instead of fighting.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

`blue` manages the Dashboard; `green` (a second stack of the same program, its own state) tries to.
The tests run top to bottom, each on the owners the previous one left: `blue` owns the Dashboard and
`green` is refused, `green` takes over with `scim:adopt`, `blue` is destroyed while `green` owns it,
then `green` is destroyed and `blue` is in charge again; the last checks every secret both saw.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.conftest import FaultStack, fault_stack, one_line_error


@pytest.fixture(scope="module")
def green(blue, emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    work = tmp_path_factory.mktemp("green")
    yield from fault_stack(work, emulator, "green", blue.dashboard)


def test_second_stack_fails_naming_the_owner_and_changes_nothing(blue, green, dashboard):
    green.stack.set_config("scim:accountSizeGb", "75")
    token_before = dashboard.settings()["token"]
    dashboard.clear_requests()

    result, seconds = green.timed("up")

    green.record("second stack `up` on an owned Dashboard", "fails naming blue", seconds)
    assert result.returncode != 0
    line = one_line_error(result.stdout + result.stderr)
    assert blue.owner in line and green.owner in line
    assert "scim:adopt" in line
    assert [r["method"] for r in dashboard.requests()] == ["GET"]
    assert dashboard.settings()["token"] == token_before
    blue.assert_converged()


def test_owner_up_after_the_refused_attempt_is_unchanged(blue, dashboard):
    dashboard.clear_requests()

    result, seconds = blue.timed("up")

    assert result.returncode == 0
    blue.record("  → next `pulumi up` (blue)", "unchanged, no writes", seconds)
    assert [r["method"] for r in dashboard.requests()] == ["GET", "GET"]
    blue.assert_converged()


def test_adopt_takes_over_and_then_the_old_owner_is_refused(blue, green, dashboard):
    green.stack.set_config("scim:adopt", "true")
    green.size = 75

    green.converge("second stack with scim:adopt true", "takes over")
    refused, _ = blue.timed("preview")
    line = one_line_error(refused.stdout + refused.stderr)
    assert green.owner in line


def test_destroy_in_the_old_owner_leaves_scim_on_for_the_new_one(blue, green, dashboard):
    green.stack.remove_config("scim:adopt")
    dashboard.clear_requests()

    result, seconds = blue.timed("destroy")

    assert result.returncode == 0, result.stdout + result.stderr
    blue.record("destroy in the stack that lost ownership", "SCIM stays on for green", seconds)
    assert [r["method"] for r in dashboard.requests() if r["method"] != "GET"] == ["DELETE"]
    green.assert_converged()


def test_once_the_new_owner_is_destroyed_the_old_one_sets_up_again(blue, green, dashboard):
    green.stack.destroy()
    assert dashboard.settings()["owner"] is None

    blue.converge("  → green destroyed, then `pulumi up` (blue)")


def test_no_token_or_admin_credential_leaked(blue, green):
    blue.assert_nothing_leaked(*green.secrets)
    green.assert_nothing_leaked(*blue.secrets)
