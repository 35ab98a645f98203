"""Issue 9, item 1: the answer to `POST /api/v1/scim/token` is lost after the token was made.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The tests share `blue` and run top to bottom: each rotates the token of the converged stack the
previous one left, through one fault, and leaves it converged for the next; the last checks that no
token any of them saw leaked. How long a command took is recorded in the fault table, never
asserted: the waits and the deadline are proved on the client's clock seam
(tests/providers/test_dashboard_client.py, tests/faults/test_deadlines.py).
"""

from __future__ import annotations

TOKEN_PATH = "/api/v1/scim/token"


def posts(dashboard) -> list[int]:
    return [r["status"] for r in dashboard.requests() if r["path"] == TOKEN_PATH]


def rotate(blue, value: str) -> None:
    blue.stack.set_config("scim:keepers", f'{{"rotation": "{value}"}}')


def test_dropped_answer_on_rotation_is_resent_and_the_run_ends_converged(blue, dashboard):
    old_token = blue.token()
    rotate(blue, "dropped")
    dashboard.clear_requests()
    dashboard.fault(method="POST", path=TOKEN_PATH, count=1, drop=True, after=True)

    result, seconds = blue.timed("up")

    assert result.returncode == 0, result.stdout + result.stderr
    assert posts(dashboard) == [0, 201]
    blue.record("token answer dropped (after generation)", "up succeeds: POST resent", seconds)
    blue.assert_converged()
    assert dashboard.scim_status(old_token) == 401


def test_garbled_answer_is_resent_and_the_run_ends_converged(blue, dashboard):
    rotate(blue, "garbled")
    dashboard.clear_requests()
    dashboard.fault(
        method="POST", path=TOKEN_PATH, count=1, status=201, body="<html>oops", after=True
    )

    result, seconds = blue.timed("up")

    assert result.returncode == 0, result.stdout + result.stderr
    assert posts(dashboard) == [201, 201]
    blue.record(
        "token answer garbled (HTML, after generation)", "up succeeds: POST resent", seconds
    )
    blue.assert_converged()


def test_429_means_nothing_was_generated_and_retry_after_is_honoured(blue, dashboard):
    rotate(blue, "rate-limited")
    dashboard.clear_requests()
    dashboard.fault(method="POST", path=TOKEN_PATH, count=1, status=429, retryAfter=1)

    result, seconds = blue.timed("up")

    assert result.returncode == 0, result.stdout + result.stderr
    assert posts(dashboard) == [429, 201]  # the wait itself: test_dashboard_client (clock seam)
    blue.record("429 + Retry-After: 1 on token POST", "up succeeds after waiting 1 s", seconds)
    blue.assert_converged()


def test_answers_lost_until_the_deadline_fail_saying_so_and_the_next_up_repairs(blue, dashboard):
    old_id = blue.stack.outputs()["token_id"]
    rotate(blue, "lost")
    blue.stack.set_config("dashboard:timeoutSeconds", "3")
    dashboard.clear_requests()
    dashboard.fault(method="POST", path=TOKEN_PATH, count=100, drop=True, after=True)

    failed, fail_seconds = blue.timed("up")

    sent = posts(dashboard)
    blue.record(
        "token answers lost until the 3 s deadline",
        f"up fails in one line naming the lost token ({len(sent)} POSTs)",
        fail_seconds,
    )
    error = failed.stdout + failed.stderr
    assert failed.returncode != 0
    line = _error_line(error)
    assert "may now hold an active SCIM token that nobody has" in line
    assert "run `pulumi up` again" in line
    assert f"after {len(sent) - 1} retr" in line, "the retry count must match the request log"
    assert "dashboard:timeoutSeconds" in line
    assert set(sent) == {0}  # the deadline itself: test_deadlines (clock seam)
    assert dashboard.settings()["token"]["id"] != old_id, "the old token should be superseded"

    dashboard.clear_faults()
    blue.stack.remove_config("dashboard:timeoutSeconds")
    blue.converge("  → next `pulumi up`")


def test_no_token_or_admin_credential_leaked(blue):
    blue.assert_nothing_leaked()


def _error_line(output: str) -> str:
    from tests.faults.conftest import one_line_error

    return one_line_error(output)
