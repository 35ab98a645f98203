"""Adopting a Dashboard set up by hand, under the real engine: the token Entra holds keeps working.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The Dashboard is set up through the admin API alone, as a person in the UI would (SCIM on, a size,
a token generated without a label). The tests then run in order on one stack, as an operator would,
each leaving the stack and the Dashboard as its command did for the next: a preview without the
saved token, an `up` with a wrong one, the `up` that adopts, a second `up`, and an `up` after the
key is removed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import new_stack
from tests.support.dashboard import Dashboard, HandMadeToken
from tests.support.leaks import assert_not_leaked

SIZE = 75
OWNER = "pulumi:organization/scim-setup/engine"
TOKEN_ENDPOINT = "/api/v1/scim/token"


@pytest.fixture(scope="module")
def by_hand(emulator: EmulatorProcess) -> HandMadeToken:
    """What a person did in the UI: SCIM on, 75 GB, Generate (the token they saved)."""
    return Dashboard(emulator.url, emulator.admin_token).set_up_by_hand(SIZE)


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    by_hand: HandMadeToken,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LocalStack]:
    for stack in new_stack(tmp_path_factory.mktemp("adoption"), emulator):
        stack.set_config("scim:accountSizeGb", str(SIZE))
        yield stack


def test_preview_without_the_saved_token_says_it_will_be_regenerated(stack, dashboard):
    dashboard.clear_requests()

    result = stack.preview()

    text = " ".join(result.stdout.split())
    assert "scim:existingToken is not set, so this run generates a new SCIM token" in text
    assert "This stack has no entra section, so nothing gives the new token to Entra" in text
    assert dashboard.writes() == []


def test_wrong_saved_token_fails_in_one_line_and_leaves_the_dashboard_untouched(
    stack, dashboard, by_hand
):
    before = dashboard.settings()
    stack.set_config("scim:existingToken", "not-the-token-made-by-hand", secret=True)
    dashboard.clear_requests()

    result = stack.run("up", "--yes", "--skip-preview", *stack.config_args(), check=False)

    assert result.returncode != 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    errors = [line for line in lines if line.startswith("error: scim:existingToken is no longer")]
    assert len(errors) == 1  # the diagnostics section: the error is one line, no traceback
    assert "regenerated or revoked since it was saved" in errors[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert dashboard.writes() == []
    assert dashboard.settings() == before
    assert dashboard.scim_status(by_hand.token) == 200


def test_up_with_the_saved_token_adopts_it_without_generating_one(stack, dashboard, by_hand):
    stack.set_config("scim:existingToken", by_hand.token, secret=True)
    dashboard.clear_requests()

    stack.up()

    assert [r for r in dashboard.writes() if r["path"] == TOKEN_ENDPOINT] == []
    assert dashboard.scim_status(by_hand.token) == 200
    settings = dashboard.settings()
    assert settings["owner"] == OWNER
    assert (settings["enabled"], settings["accountSizeGb"]) == (True, SIZE)
    assert settings["token"]["id"] == by_hand.id
    outputs = stack.outputs()
    assert outputs["token_id"] == by_hand.id
    assert outputs["test_connection"]["result"] == "passed"
    assert stack.outputs(show_secrets=True)["token"] == by_hand.token


def test_second_up_writes_nothing(stack, dashboard):
    dashboard.clear_requests()

    stack.up()

    assert dashboard.writes() == []


def test_removing_the_key_after_adoption_changes_nothing(stack, dashboard, by_hand):
    stack.remove_config("scim:existingToken")
    dashboard.clear_requests()

    preview = stack.preview()
    stack.up()

    assert "generates a new SCIM token" not in preview.stdout
    assert dashboard.writes() == []
    assert dashboard.settings()["token"]["id"] == by_hand.id
    assert dashboard.scim_status(by_hand.token) == 200


def test_the_adopted_token_never_appears_in_output_or_state(stack, by_hand):
    assert_not_leaked(stack.transcript(), by_hand.token, "the pulumi CLI's output")
    assert_not_leaked(stack.export(), by_hand.token, "the stack's state")
    assert_not_leaked(stack.config_file.read_text(), by_hand.token, "the stack config file")
