"""Adoption while a person regenerates the token in the UI between `scim-setup adopt` and `up`.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The saved token `adopt` verified is dead by the time `pulumi up` runs. The run must say so and
change nothing, never quietly generate a token of its own (Entra would hold neither). Once the
person saves the token that is active now, the next `up` adopts that one. The tests run top to
bottom on the stack `adopted` set up: the first leaves its `up` refused over the dead saved token,
the second saves the active one and adopts it, and the last checks that no token leaked.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from scim_setup.emulator.process import EmulatorProcess
from tests.engine.conftest import pulumi_cli  # noqa: F401  (fixture re-export)
from tests.faults.conftest import FaultStack, fault_stack, one_line_error, summarize
from tests.support.console_script import SCRIPT
from tests.support.dashboard import Dashboard

SIZE = 60
TOKEN_ENDPOINT = "/api/v1/scim/token"


@pytest.fixture(scope="module")
def adopted(
    pulumi_cli: str,  # noqa: F811
    emulator: EmulatorProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[FaultStack]:
    """A Dashboard set up by hand, and a stack that `scim-setup adopt` has just configured."""
    dashboard = Dashboard(emulator.url, emulator.admin_token)
    saved = dashboard.set_up_by_hand(SIZE).token
    for faulty in fault_stack(tmp_path_factory.mktemp("adopt"), emulator, "adopt", dashboard):
        faulty.size = SIZE
        faulty.secrets.append(saved)
        stack = faulty.stack
        result = subprocess.run(
            [str(SCRIPT), "adopt", "--stack", stack.stack, *stack.config_args(), "--no-preview"],
            cwd=stack.project_dir,
            env=stack.env,
            input=saved,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        yield faulty


def test_up_after_the_token_was_regenerated_in_the_ui_says_so_and_changes_nothing(
    adopted, dashboard
):
    ui_token = dashboard.regenerate_token()
    adopted.secrets.append(ui_token["token"])
    before = dashboard.settings()
    dashboard.clear_requests()

    result, seconds = adopted.timed("up")

    assert result.returncode != 0
    error = one_line_error(result.stdout)
    assert "scim:existingToken is no longer (or never was) the Dashboard's active" in error
    assert "regenerated or revoked since it was saved" in error
    admin = [r for r in dashboard.requests() if r["path"].startswith("/api/")]
    assert [r for r in admin if r["path"] == TOKEN_ENDPOINT] == []
    assert dashboard.writes() == []
    assert dashboard.settings() == before
    assert dashboard.scim_status(ui_token["token"]) == 200
    adopted.record(
        "token regenerated in the UI between adopt and up",
        "up fails: saved token no longer active; nothing generated",
        seconds,
        summarize(admin),
    )


def test_saving_the_token_that_is_active_now_lets_the_next_up_adopt_it(adopted, dashboard):
    active = dashboard.settings()["token"]
    ui_token = adopted.secrets[-1]
    adopted.stack.set_config("scim:existingToken", ui_token, secret=True)
    dashboard.clear_requests()

    result, seconds = adopted.timed("up")

    assert result.returncode == 0, result.stdout + result.stderr
    assert [w for w in dashboard.writes() if w["path"] == TOKEN_ENDPOINT] == []
    settings = dashboard.settings()
    assert settings["token"]["id"] == active["id"] == adopted.stack.outputs()["token_id"]
    assert settings["owner"] == adopted.owner
    assert dashboard.scim_status(ui_token) == 200
    adopted.record("… then the active token is saved", "next up adopts it", seconds)


def test_no_token_or_admin_credential_leaked(adopted):
    adopted.assert_nothing_leaked()
