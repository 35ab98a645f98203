"""`review` names `scim:takeOver` when a stack is about to take the Dashboard from another one."""

from __future__ import annotations

from scim_setup.cli.preview_changes import SCIM_SETTINGS, Preview, changes

URN = f"urn:pulumi:prod::scim-setup::{SCIM_SETTINGS}::dashboard-settings"
SETTINGS = {"enabled": True, "account_size_gb": 50, "keep_enabled_on_destroy": False}


def lines(op: str, old: dict, new: dict) -> list[tuple[str, bool]]:
    step = {
        "op": op,
        "urn": URN,
        "oldState": {"type": SCIM_SETTINGS, "inputs": old} if old else None,
        "newState": {"type": SCIM_SETTINGS, "inputs": new} if new else None,
    }
    return [(c.text, c.warning) for c in changes(Preview.from_json({"steps": [step]}))]


def test_setting_take_over_is_a_risky_change_naming_the_key():
    [(text, risky)] = lines("update", {**SETTINGS, "adopt": False}, {**SETTINGS, "adopt": True})

    assert text.startswith("scim:takeOver is set: this stack takes the Dashboard's SCIM settings")
    assert "adopt" not in text
    assert risky


def test_a_new_stack_taking_over_says_so_before_what_it_switches_on():
    (first, risky), (second, _) = lines("create", {}, {**SETTINGS, "adopt": True})

    assert first.startswith("scim:takeOver is set") and risky
    assert second.startswith("SCIM user management will be switched on")


def test_removing_the_key_after_the_take_over_is_no_change_to_report():
    assert lines("update", {**SETTINGS, "adopt": True}, {**SETTINGS, "adopt": False}) == []
