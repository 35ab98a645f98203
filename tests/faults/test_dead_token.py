"""Issue 9, item 2: a plain `pulumi up` (no refresh) sees the Dashboard's real token and settings.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The tests share `blue` and run top to bottom: the preview leaves it as the fixture's `up` did, each
plain `up` repairs what a person changed in the UI and leaves it converged for the next, and the
last checks that no token any of them saw leaked.
"""

from __future__ import annotations

import json

SETTINGS = "pulumi-python:dynamic/dashboard:ScimSettings"
TOKEN = "pulumi-python:dynamic/dashboard:ScimToken"


def planned(blue) -> dict[str, str]:
    steps = json.loads(blue.stack.preview("--json").stdout)["steps"]
    ops = {step["urn"].split("::")[-2].split("$")[-1]: step["op"] for step in steps}
    return {kind: ops.get(kind, "same") for kind in (SETTINGS, TOKEN)}


def test_preview_reads_each_resource_once_and_writes_nothing(blue, dashboard):
    dashboard.clear_requests()

    ops = planned(blue)

    assert (ops[SETTINGS], ops[TOKEN]) == ("same", "same")
    assert [(r["method"], r["path"]) for r in dashboard.requests()] == [("GET", "/api/v1/scim")] * 2


def test_plain_up_replaces_a_token_regenerated_in_the_ui(blue, dashboard):
    ui_token = dashboard.regenerate_token()
    blue.secrets.append(ui_token["token"])

    assert planned(blue)[TOKEN] == "replace"
    blue.converge("token regenerated in the UI", "plain up replaces it (no refresh)")

    assert dashboard.scim_status(ui_token["token"]) == 401


def test_plain_up_regenerates_a_token_revoked_in_the_ui(blue, dashboard):
    assert dashboard.revoke_token(blue.stack.outputs()["token_id"]) == 204

    blue.converge("token revoked in the UI", "plain up generates a new one")


def test_plain_up_repairs_settings_changed_in_the_ui(blue, dashboard):
    dashboard.put_settings(enabled=False, account_size_gb=999)

    assert planned(blue)[SETTINGS] == "update"
    blue.converge("SCIM switched off + size changed in the UI", "plain up repairs both")


def test_no_token_or_admin_credential_leaked(blue):
    blue.assert_nothing_leaked()
