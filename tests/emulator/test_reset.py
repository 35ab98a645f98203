"""`POST /_emulator/reset`: a running emulator made to look exactly like a brand-new one.

The test suite shares one emulator process between test modules (`tests/conftest.py`) and relies on
this: whatever a module changed (settings, token, users, groups, memberships, faults, the request
log), the next one sees what a newly started emulator would show.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scim_setup.emulator.process import EmulatorProcess
from scim_setup.emulator.scim_replay import GROUP_URN, PATCH_OP_URN, USER_URN
from tests.support.scim_account import enable_scim

SETTINGS = "/api/v1/scim"
USER_NAME = "reset.user@example.com"
GROUP_NAME = "reset-team"
TIMES = {"createdAt", "lastUsedAt", "created", "lastModified", "version"}
ARRIVAL_TIMEOUT_S = 10.0
"""How long a held request may take to show in the request log before the test fails."""
"""Keys of timestamps (and the ETag made from one), which differ between any two emulators."""


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    """A brand-new emulator over an empty data directory: what a reset must look like."""
    with EmulatorProcess(tmp_path_factory.mktemp("fresh"), test_hooks=True) as process:
        yield process


def reset(emulator: EmulatorProcess, **body: Any) -> requests.Response:
    return requests.post(f"{emulator.url}/_emulator/reset", json=body or None, timeout=90)


def scim(emulator: EmulatorProcess, token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    session.headers["Content-Type"] = "application/scim+json"
    return session


def user(name: str) -> dict[str, Any]:
    return {"schemas": [USER_URN], "userName": name, "externalId": name, "active": True}


def group(name: str, *member_ids: str) -> dict[str, Any]:
    return {
        "schemas": [GROUP_URN],
        "displayName": name,
        "members": [{"value": member_id} for member_id in member_ids],
    }


def change_everything(emulator: EmulatorProcess) -> dict[str, str]:
    """Leave a mark in every table and cache; return the token and the ids created."""
    url, tenant = emulator.url, emulator.tenant_url
    with emulator.admin_session() as admin:
        body = {"enabled": True, "accountSizeGb": 123, "owner": "someone/else"}
        admin.put(f"{url}{SETTINGS}", json=body).raise_for_status()
        answer = admin.post(f"{url}{SETTINGS}/token", json={"label": "old"})
        answer.raise_for_status()
    token = answer.json()["token"]
    with scim(emulator, token) as client:
        user_id = client.post(f"{tenant}/Users", json=user(USER_NAME)).json()["id"]
        other_id = client.post(f"{tenant}/Users", json=user("other@example.com")).json()["id"]
        operation = {"op": "replace", "path": "displayName", "value": "Changed"}
        patch = {"schemas": [PATCH_OP_URN], "Operations": [operation]}
        client.patch(f"{tenant}/Users/{user_id}", json=patch).raise_for_status()
        group_id = client.post(f"{tenant}/Groups", json=group(GROUP_NAME, user_id)).json()["id"]
        outer = client.post(f"{tenant}/Groups", json=group("outer", group_id, other_id))
        outer.raise_for_status()
        for start in (1, 2, 3):  # keyset paging remembers where each page ended
            client.get(f"{tenant}/Users", params={"startIndex": start, "count": 1})
    hooks = f"{url}/_emulator/faults"
    for fault in (
        {"method": "GET", "path": SETTINGS, "status": 503, "count": 100},
        {"method": "*", "path": "/scim/*", "status": 500, "count": 100},
        {"method": "POST", "path": "/api/*", "drop": True},
    ):
        requests.post(hooks, json=fault).raise_for_status()
    assert requests.get(f"{url}/_emulator/requests").json()["items"]
    return {"token": token, "user_id": user_id, "group_id": group_id}


def masked(value: Any) -> Any:
    """`value` without its timestamps and secrets."""
    if isinstance(value, list):
        return [masked(item) for item in value]
    if not isinstance(value, dict):
        return value
    shown = {
        key: "<time>" if key in TIMES and item is not None else masked(item)
        for key, item in value.items()
    }
    if isinstance(shown.get("token"), str):
        shown["token"] = "<secret>"
    return shown


def ids_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            yield value["id"]
        for item in value.values():
            yield from ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from ids_in(item)


def view(emulator: EmulatorProcess, old: dict[str, str]) -> dict[str, Any]:
    """Everything the admin and SCIM APIs and the hooks show, asked the same way of any emulator.

    First as it stands (SCIM off, no token), then after switching SCIM on the way a new setup
    would: listing, looking up what existed before, creating the same names again.
    """
    url, tenant = emulator.url, emulator.tenant_url
    seen: dict[str, Any] = {}
    names = {tenant: "<tenant url>", url: "<url>", tenant.rsplit("/", 1)[1]: "<tenant id>"}
    """Strings that differ between emulators, and what they stand for."""

    def answer(label: str, response: requests.Response, *, new_ids: bool = False) -> Any:
        """Keep what `response` shows; with `new_ids`, the ids it holds are named in order."""
        body = response.json() if response.content else None
        if new_ids:
            names.update({new: f"<id {len(names)}>" for new in ids_in(body) if new not in names})
        text = response.text
        for value, name in names.items():
            text = text.replace(value, name)
        seen[label] = (response.status_code, masked(json.loads(text)) if text else None)
        return body

    with emulator.admin_session() as admin:
        settings = answer("settings", admin.get(f"{url}{SETTINGS}"))
        assert settings["tenantUrl"] == tenant, "the tenant URL changed"
        answer("backup accounts", admin.get(f"{url}/api/v1/backup-accounts"))
        with emulator.admin_session(emulator.viewer_token) as viewer:
            answer("as the viewer", viewer.get(f"{url}{SETTINGS}"))
        with scim(emulator, old["token"]) as client:
            answer("users, old token", client.get(f"{tenant}/Users"))
        answer("enable", admin.put(f"{url}{SETTINGS}", json={"enabled": True, "accountSizeGb": 9}))
        generated = admin.post(f"{url}{SETTINGS}/token")
        token = answer("generate token", generated, new_ids=True)["token"]
        with scim(emulator, token) as client:
            answer("users", client.get(f"{tenant}/Users"))
            answer("page 2", client.get(f"{tenant}/Users", params={"startIndex": 2, "count": 1}))
            answer("groups", client.get(f"{tenant}/Groups"))
            by_name = {"filter": f'userName eq "{USER_NAME}"'}
            answer("user by name", client.get(f"{tenant}/Users", params=by_name))
            answer("old user", client.get(f"{tenant}/Users/{old['user_id']}"))
            answer("old group", client.get(f"{tenant}/Groups/{old['group_id']}"))
            again = client.post(f"{tenant}/Users", json=user(USER_NAME))
            user_id = answer("same user again", again, new_ids=True).get("id", "-")
            again = client.post(f"{tenant}/Groups", json=group(GROUP_NAME, user_id))
            group_id = answer("same group again", again, new_ids=True).get("id", "-")
            answer("its members", client.get(f"{tenant}/Groups/{group_id}"))
            for path in ("ServiceProviderConfig", "ResourceTypes", "Schemas"):
                answer(path, client.get(f"{tenant}/{path}"))
        answer("settings after", admin.get(f"{url}{SETTINGS}"))
        accounts = admin.get(f"{url}/api/v1/backup-accounts")
        answer("backup accounts after", accounts, new_ids=True)
    answer("request log", requests.get(f"{url}/_emulator/requests"))
    return seen


def test_reset_shows_what_a_new_emulator_shows(emulator, fresh):
    old = change_everything(emulator)
    identity = (emulator.url, emulator.admin_token, emulator.viewer_token, emulator.tenant_url)

    assert reset(emulator).status_code == 204

    after_reset, brand_new = view(emulator, old), view(fresh, old)
    assert list(after_reset) == list(brand_new)
    differing = [label for label in brand_new if after_reset[label] != brand_new[label]]
    assert not differing, f"after a reset, these differ from a new emulator's answers: {differing}"
    assert (emulator.url, emulator.admin_token, emulator.viewer_token, emulator.tenant_url) == (
        identity
    )


def hold_one(emulator: EmulatorProcess, admin: requests.Session, method: str, path: str) -> None:
    """Send a request the server holds for 2 s after its client gave up; return once it arrived."""
    spec = {"method": method, "path": path, "delaySeconds": 2}
    requests.post(f"{emulator.url}/_emulator/faults", json=spec, timeout=10).raise_for_status()
    with pytest.raises(requests.Timeout):
        admin.request(method, f"{emulator.url}{path}", timeout=0.2)
    log = f"{emulator.url}/_emulator/requests"
    held = {"method": method, "path": path, "status": None}
    give_up = time.monotonic() + ARRIVAL_TIMEOUT_S
    while held not in requests.get(log, timeout=ARRIVAL_TIMEOUT_S).json()["items"]:
        if time.monotonic() > give_up:
            pytest.fail(f"{method} {path} never reached the emulator's request log", pytrace=False)
        time.sleep(0.01)


def test_reset_waits_for_a_write_still_in_progress(emulator):
    """A write held by a fault, whose client gave up, lands before the reset, not after it."""
    with emulator.admin_session() as admin:
        hold_one(emulator, admin, "POST", f"{SETTINGS}/token")

        assert reset(emulator).status_code == 204

        assert admin.get(f"{emulator.url}{SETTINGS}").json()["token"] is None
    assert requests.get(f"{emulator.url}/_emulator/requests").json()["items"] == [
        {"method": "GET", "path": SETTINGS, "status": 200}
    ]


def test_reset_refuses_while_a_request_outlasts_its_wait(emulator):
    with emulator.admin_session() as admin:
        enable_scim(emulator, admin, account_size_gb=77)
        hold_one(emulator, admin, "GET", SETTINGS)

        refused = reset(emulator, waitSeconds=0.1)

        assert refused.status_code == 503
        assert refused.json()["error"] == "service_unavailable"
        assert admin.get(f"{emulator.url}{SETTINGS}").json()["accountSizeGb"] == 77
        assert reset(emulator).status_code == 204
        assert admin.get(f"{emulator.url}{SETTINGS}").json()["accountSizeGb"] == 50


@pytest.mark.parametrize("body", [{"waitSeconds": "soon"}, {"waitSeconds": -1}])
def test_invalid_wait_is_422(emulator, body):
    response = reset(emulator, **body)

    assert response.status_code == 422
    assert response.json()["field"] == "waitSeconds"
