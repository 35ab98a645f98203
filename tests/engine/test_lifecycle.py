"""`pulumi preview/up/refresh/destroy` of the Dashboard step, run by the real engine, in order.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The tests of this module share one stack and one emulator and run top to bottom, as an operator's
sequence of commands would: each leaves the stack as its command did for the next (not up yet; up
with one token at 50 GB; at 200 GB; a token replaced, then rotated by new keepers; drift repaired;
destroyed), and the last reads the logs all of them wrote.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.support.dashboard import Dashboard
from tests.support.leaks import assert_not_leaked

SETTINGS = "pulumi-python:dynamic/dashboard:ScimSettings"
TOKEN = "pulumi-python:dynamic/dashboard:ScimToken"

REVEALED: list[str] = []
"""Every token this module has seen, to prove none of them reached a log or the CLI's output."""


def reveal_token(stack: LocalStack) -> str:
    token = stack.outputs(show_secrets=True)["token"]
    REVEALED.append(token)
    return token


def up_summary(stack: LocalStack) -> dict[str, int]:
    """`pulumi up` and its resource-change counts, read from the engine's JSON event stream."""
    events = stack.up("--json").stdout.splitlines()
    summary = json.loads(next(line for line in reversed(events) if "summaryEvent" in line))
    return summary["summaryEvent"]["resourceChanges"]


def planned_ops(stack: LocalStack) -> dict[str, str]:
    steps = json.loads(stack.preview("--json").stdout)["steps"]
    return {step["urn"].split("::")[-2].split("$")[-1]: step["op"] for step in steps}


def changed_properties(preview_diff: str) -> list[str]:
    """Property lines `pulumi preview --diff` marks as changed (`~`, `+`, `-`)."""
    resources = preview_diff.split("--outputs:--")[0]  # stack outputs follow; not resources
    return re.findall(r"^\s+[~+-] (\w+)\s*:", resources, flags=re.MULTILINE)


def active_token_id(dashboard: Dashboard) -> str | None:
    token: dict[str, Any] | None = dashboard.settings()["token"]
    return None if token is None else token["id"]


def test_preview_plans_the_creates_and_writes_nothing(stack, dashboard):
    dashboard.clear_requests()

    ops = planned_ops(stack)

    assert ops[SETTINGS] == "create"
    assert ops[TOKEN] == "create"
    assert dashboard.writes() == []


def test_up_enables_scim_and_generates_the_token(stack, dashboard):
    assert up_summary(stack) == {"create": 5}

    settings = dashboard.settings()
    outputs = stack.outputs()
    assert settings["enabled"] is True
    assert settings["accountSizeGb"] == 50
    assert outputs["tenant_url"] == settings["tenantUrl"]
    assert outputs["token_id"] == settings["token"]["id"]


def test_the_harness_reads_state_and_writes_config_as_the_cli_does(stack):
    """`LocalStack` reads outputs and state from the backend's file and writes plain config into
    the stack's config file, to spare CLI starts; the CLI must see the same."""
    stack.set_config("scim:harnessCheck", '{"a": "1"}')
    try:
        config = json.loads(stack.run("config", "--json", *stack.config_args()).stdout)
    finally:
        stack.remove_config("scim:harnessCheck")
    cli_state = json.loads(stack.run("stack", "export").stdout)["deployment"]

    assert stack.outputs() == json.loads(stack.run("stack", "output", "--json").stdout)
    assert stack.outputs()["token"] == "[secret]"
    assert stack.resources() == cli_state["resources"]
    assert config["scim:harnessCheck"] == {"value": '{"a": "1"}', "secret": False}
    assert config["dashboard:apiToken"]["secret"] is True
    assert "scim:harnessCheck" not in stack.config_file.read_text()


def test_second_up_reports_no_changes_and_makes_no_writes(stack, dashboard):
    dashboard.clear_requests()

    assert up_summary(stack) == {"same": 5}
    assert dashboard.writes() == []


def test_state_holds_no_plaintext_token_or_admin_credential(stack, emulator: EmulatorProcess):
    token = reveal_token(stack)
    state = stack.export()

    assert_not_leaked(state, token, "the stack's state")
    assert_not_leaked(state, emulator.admin_token, "the stack's state")
    assert_not_leaked(stack.config_file.read_text(), emulator.admin_token, "the stack config file")


def test_secret_token_output_is_accepted_by_the_scim_endpoint(stack, dashboard):
    assert stack.outputs()["token"] == "[secret]"
    token = reveal_token(stack)

    status = dashboard.scim_status(token)

    assert status == 200


def test_refresh_without_drift_writes_nothing_and_reads_the_tokens_last_use(stack, dashboard):
    token = reveal_token(stack)
    time.sleep(1.1)  # the Dashboard keeps whole seconds
    assert dashboard.scim_status(token) == 200  # Entra calling
    dashboard.clear_requests()

    refreshed = stack.refresh("--run-program").stdout

    # No resource changes; the token's last use (an output) is read again.
    assert "5 unchanged" in refreshed
    assert "~ token_last_used_at" in refreshed
    assert stack.outputs()["token_last_used_at"] == dashboard.settings()["token"]["lastUsedAt"]
    assert dashboard.writes() == []
    assert_not_leaked(stack.export(), token, "the stack's state after refresh")


def test_changed_size_previews_exactly_that_property_then_applies(stack, dashboard):
    stack.set_config("scim:accountSizeGb", "200")

    preview = stack.preview("--diff").stdout

    assert changed_properties(preview) == ["account_size_gb"]
    assert "50 => 200" in preview
    assert "__provider" not in preview
    assert up_summary(stack) == {"same": 4, "update": 1}
    assert dashboard.settings()["accountSizeGb"] == 200


def test_refresh_notices_token_regenerated_in_the_ui_and_up_replaces_it(stack, dashboard):
    old_token = reveal_token(stack)
    ui_token = dashboard.regenerate_token()

    refreshed = stack.refresh().stdout

    assert "dashboard-token" in refreshed and "deleted" in refreshed
    # The new token is created, then Test Connection runs again with it (an update).
    assert up_summary(stack) == {"same": 3, "create": 1, "update": 1}
    new_token_id = stack.outputs()["token_id"]
    assert new_token_id not in (ui_token["id"], None)
    assert active_token_id(dashboard) == new_token_id
    new_status = dashboard.scim_status(reveal_token(stack))
    old_status = dashboard.scim_status(old_token)
    assert (new_status, old_status) == (200, 401)


def test_keepers_change_rotates_to_exactly_one_new_token(stack, dashboard):
    old_id = stack.outputs()["token_id"]
    old_token = reveal_token(stack)
    stack.set_config("scim:keepers", '{"rotation": "2026-12"}')

    assert up_summary(stack) == {"same": 3, "replace": 1, "update": 1}

    new_id = stack.outputs()["token_id"]
    assert new_id != old_id
    assert active_token_id(dashboard) == new_id
    assert dashboard.revoke_token(old_id) == 404
    new_status = dashboard.scim_status(reveal_token(stack))
    old_status = dashboard.scim_status(old_token)
    assert (new_status, old_status) == (200, 401)


def test_scim_switched_off_in_the_ui_is_drift_that_up_repairs(stack, dashboard):
    dashboard.put_settings(enabled=False, account_size_gb=200)

    stack.refresh()

    assert changed_properties(stack.preview("--diff").stdout) == ["enabled"]
    assert up_summary(stack) == {"same": 4, "update": 1}
    assert dashboard.settings()["enabled"] is True


def test_bad_config_value_fails_preview_naming_the_key(stack):
    stack.set_config("scim:accountSizeGb", "0")

    result = stack.preview(check=False)

    stack.set_config("scim:accountSizeGb", "200")
    assert result.returncode != 0
    assert "scim:accountSizeGb: Input should be greater than or equal to 1" in result.stdout
    assert "Traceback" not in result.stdout


def test_destroy_revokes_the_token_and_switches_scim_off(stack, dashboard):
    token = reveal_token(stack)

    stack.destroy()

    settings = dashboard.settings()
    assert settings["enabled"] is False
    assert settings["token"] is None
    status = dashboard.scim_status(token)
    assert status == 401


def test_no_token_or_admin_credential_in_cli_output_or_emulator_log(stack, emulator):
    logs = {"the pulumi CLI's output": stack.transcript(), "the emulator log": emulator.log_text()}

    assert len(REVEALED) >= 3
    for where, text in logs.items():
        for secret in {*REVEALED, emulator.admin_token}:
            assert_not_leaked(text, secret, where)
