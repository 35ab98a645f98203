"""Issue 9, item 4: secret keepers and a URL password never appear in state or CLI output.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The tests share `blue` and run top to bottom, each leaving it converged and pointed at the emulator
for the next; the last checks that the keeper, the URL password and every token they saw never
leaked.
"""

from __future__ import annotations

from tests.faults.conftest import one_line_error
from tests.support.leaks import assert_not_leaked

KEEPER = "keeper-7f3e-do-not-print"
URL_PASSWORD = "pa55-do-not-print"


def test_secret_keepers_stay_secret_in_state_and_diff(blue, dashboard):
    old_id = blue.stack.outputs()["token_id"]
    blue.stack.set_config("scim:keepers", f'{{"rotation": "{KEEPER}"}}', secret=True)

    diff = blue.stack.preview("--diff").stdout
    dashboard.clear_requests()
    result, seconds = blue.timed("up", "--diff")

    assert result.returncode == 0, result.stdout + result.stderr
    blue.record("scim:keepers set with --secret", "rotated; keepers [secret] everywhere", seconds)
    assert "keepers" in diff and "[secret]" in diff
    assert blue.stack.outputs()["token_id"] != old_id
    state = blue.stack.export()
    assert_not_leaked(diff + result.stdout + result.stderr, KEEPER, "the --diff output")
    assert_not_leaked(state, KEEPER, "the stack's state")
    blue.assert_converged()


def test_a_url_password_is_never_echoed_in_config_errors(blue, emulator, dashboard):
    url = emulator.url.replace("http://", f"http://admin:{URL_PASSWORD}@")
    blue.stack.set_config("dashboard:url", url)
    dashboard.clear_requests()

    result, seconds = blue.timed("preview")

    blue.stack.set_config("dashboard:url", emulator.url)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "dashboard:url" in output and "user info" in output
    assert "Traceback" not in output
    assert_not_leaked(output, URL_PASSWORD, "the config error")
    assert dashboard.requests() == []
    blue.record("dashboard:url with user:password", "preview fails, password redacted", seconds)


def test_a_url_password_is_never_echoed_by_the_provider_check(blue, emulator, tmp_path):
    from tests.faults.conftest import fault_stack

    program = "from providers import ScimToken\nScimToken('token')\n"
    url = emulator.url.replace("http://", f"http://admin:{URL_PASSWORD}@")
    for raw in fault_stack(tmp_path, emulator, "raw", blue.dashboard, program):
        raw.stack.set_config("dashboard:url", url)
        result, _ = raw.timed("preview")
        assert result.returncode != 0
        assert "user info" in result.stdout + result.stderr
        one_line_error(result.stdout + result.stderr)
        assert_not_leaked(raw.stack.transcript(), URL_PASSWORD, "the check() failure")
        raw.stack.set_config("dashboard:url", emulator.url)


def test_no_secret_leaked(blue):
    blue.assert_nothing_leaked(KEEPER, URL_PASSWORD)
