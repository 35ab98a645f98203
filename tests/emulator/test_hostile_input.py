"""Hostile SCIM and admin input is a 4xx, never a 500, and leaves the store as it was.

Issue 9 item 7: deep JSON (RecursionError), huge `startIndex` (OverflowError),
lone surrogates (UnicodeEncodeError), filters with thousands of terms (SQLite
expression too large), a 10 MB userName, NUL characters and a group made a
member of itself. The limits are those of `docs/dashboard-api.md`.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

import functools
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scim_setup.emulator.process import EmulatorProcess
from scim_setup.emulator.request_limits import MAX_BODY_BYTES, MAX_DEPTH, MAX_STRING_CHARS
from scim_setup.emulator.scim_replay import GROUP_URN, PATCH_OP_URN, USER_URN, ScimReplay
from tests.support.scim_account import assert_scim_error, backup_accounts, unique

SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


class Client(ScimReplay):
    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self._send(method, path, **kwargs)

    def raw(self, method: str, path: str, body: bytes) -> requests.Response:
        return self._send(method, path, data=body)


@pytest.fixture
def scim(emulator: EmulatorProcess, scim_token: str) -> Iterator[Client]:
    client = Client(emulator.tenant_url, scim_token)
    yield client
    client.close()


def user_json(user_name: str) -> bytes:
    """A user body; `json.dumps` escapes lone surrogates and NUL as `\\uXXXX`."""
    return json.dumps({"schemas": [USER_URN], "userName": user_name}).encode()


def totals(scim: Client, emulator: EmulatorProcess) -> tuple[int, int, int]:
    users = scim.call("GET", "/Users", params={"count": 0}).json()["totalResults"]
    groups = scim.call("GET", "/Groups", params={"count": 0}).json()["totalResults"]
    return users, groups, len(backup_accounts(emulator))


HOSTILE_BODIES = {
    "deep-array": b"[" * 200_000 + b"]" * 200_000,
    "deep-object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "nested-past-limit": json.dumps(
        {
            "schemas": [USER_URN],
            "userName": "u",
            "x": functools.reduce(lambda v, _: [v], range(MAX_DEPTH), 1),
        }
    ).encode(),
    "lone-surrogate": user_json("\ud800@example.com"),
    "lone-low-surrogate-key": json.dumps({"userName": "a", "\udfff": 1}).encode(),
    "nul-in-user-name": user_json("nul\x00@example.com"),
    "string-past-limit": user_json("x" * (MAX_STRING_CHARS + 1)),
    "nan": b'{"userName": NaN}',
    "not-utf8": b'{"userName": "\xff\xfe"}',
    "empty": b"",
}


@pytest.mark.parametrize("name", HOSTILE_BODIES)
@pytest.mark.parametrize("method_path", ["POST /Users", "POST /Groups", "POST /Users/.search"])
def test_hostile_scim_bodies_are_400_and_create_nothing(emulator, scim, name, method_path):
    method, path = method_path.split()
    before = totals(scim, emulator)

    response = scim.raw(method, path, HOSTILE_BODIES[name])

    assert assert_scim_error(response, 400)["scimType"] in ("invalidSyntax", "invalidValue")
    assert totals(scim, emulator) == before


def test_hostile_patch_and_put_bodies_are_400_and_change_nothing(scim):
    user = scim.call("POST", "/Users", json={"schemas": [USER_URN], "userName": unique("h")}).json()
    for body in HOSTILE_BODIES.values():
        assert scim.raw("PUT", f"/Users/{user['id']}", body).status_code == 400
        assert scim.raw("PATCH", f"/Users/{user['id']}", body).status_code == 400

    assert scim.call("GET", f"/Users/{user['id']}").json() == user


def test_ten_megabyte_user_name_is_413_and_the_server_stays_up(emulator, scim):
    before = totals(scim, emulator)
    body = user_json("x" * (10 * 1024 * 1024))

    response = scim.raw("POST", "/Users", body)

    assert_scim_error(response, 413)
    assert totals(scim, emulator) == before


def test_a_body_without_content_length_is_cut_off_at_the_limit(scim):
    chunk = b" " * 65536

    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    response = scim.session.post(f"{scim.base_url}/Users", data=chunks(), timeout=10)

    assert_scim_error(response, 413)


def test_user_name_just_within_the_string_limit_is_accepted(scim):
    name = unique("long") + "x" * (MAX_STRING_CHARS - 20)

    response = scim.call("POST", "/Users", json={"schemas": [USER_URN], "userName": name})

    assert response.status_code == 201, response.text[:200]


@pytest.mark.parametrize("start_index", ["99999999999999999999", str(2**31), "9" * 5000, "1e3"])
def test_huge_or_malformed_start_index_is_400_invalid_value(scim, start_index):
    response = scim.call("GET", "/Users", params={"startIndex": start_index})

    assert assert_scim_error(response, 400)["scimType"] == "invalidValue"


def test_huge_start_index_in_a_search_body_is_400_invalid_value(scim):
    body = {"schemas": [SEARCH_URN], "startIndex": 10**30}

    response = scim.call("POST", "/Users/.search", json=body)

    assert assert_scim_error(response, 400)["scimType"] == "invalidValue"


def test_huge_count_is_lowered_to_max_results_not_an_error(scim):
    response = scim.call("GET", "/Users", params={"count": "99999999999999999999"})

    assert response.status_code == 200
    assert response.json()["itemsPerPage"] <= 200


@pytest.mark.parametrize("terms", [60, 1000])
def test_filter_with_many_or_terms_is_400_invalid_filter(scim, terms):
    expression = " or ".join(f'userName eq "u{n}"' for n in range(terms))

    response = scim.call("GET", "/Users", params={"filter": expression})

    assert assert_scim_error(response, 400)["scimType"] == "invalidFilter"


def test_search_filter_with_too_many_terms_is_400_invalid_filter(scim):
    expression = " or ".join(f'userName eq "u{n}"' for n in range(60))

    response = scim.call(
        "POST", "/Users/.search", json={"schemas": [SEARCH_URN], "filter": expression}
    )

    assert assert_scim_error(response, 400)["scimType"] == "invalidFilter"


def test_filter_of_thousands_of_terms_is_refused_by_get_and_by_search(scim):
    expression = " or ".join(f'userName eq "u{n}"' for n in range(5000))

    by_search = scim.call(
        "POST", "/Users/.search", json={"schemas": [SEARCH_URN], "filter": expression}
    )
    by_get = scim.call("GET", "/Users", params={"filter": expression})

    # In a body, the filter is first a string past the string limit.
    assert assert_scim_error(by_search, 400)["scimType"] == "invalidValue"
    # A request line past 64 KiB is refused by the HTTP layer before the SCIM endpoint.
    assert by_get.status_code == 400


def test_deeply_parenthesised_filter_is_a_4xx(scim):
    expression = "(" * 1000 + 'userName eq "x"' + ")" * 1000

    response = scim.call("GET", "/Users", params={"filter": expression})

    assert response.status_code in (200, 400)
    assert response.headers["Content-Type"].startswith("application/scim+json")


def test_filter_value_with_nul_or_a_lone_surrogate_is_refused(scim):
    nul = scim.call("GET", "/Users", params={"filter": 'userName eq "a\x00b"'})
    surrogate = scim.call(
        "POST",
        "/Users/.search",
        data=json.dumps({"schemas": [SEARCH_URN], "filter": 'userName eq "\ud800"'}).encode(),
    )

    assert assert_scim_error(nul, 400)["scimType"] == "invalidFilter"
    assert assert_scim_error(surrogate, 400)["scimType"] == "invalidValue"


def add_member(scim: Client, group_id: str, member_id: str) -> requests.Response:
    operation = {"op": "add", "path": "members", "value": [{"value": member_id}]}
    return scim.call(
        "PATCH", f"/Groups/{group_id}", json={"schemas": [PATCH_OP_URN], "Operations": [operation]}
    )


def new_group(scim: Client) -> dict[str, Any]:
    body = {"schemas": [GROUP_URN], "displayName": unique("loop")}
    return scim.call("POST", "/Groups", json=body).json()


def test_group_cannot_be_made_a_member_of_itself(scim):
    group = new_group(scim)

    by_patch = add_member(scim, group["id"], group["id"])
    by_put = scim.call(
        "PUT",
        f"/Groups/{group['id']}",
        json={**group, "members": [{"value": group["id"]}]},
    )

    assert assert_scim_error(by_patch, 400)["scimType"] == "invalidValue"
    assert assert_scim_error(by_put, 400)["scimType"] == "invalidValue"
    assert "members" not in scim.call("GET", f"/Groups/{group['id']}").json()


def test_group_cannot_contain_itself_through_another_group(scim):
    outer, middle, inner = new_group(scim), new_group(scim), new_group(scim)
    assert add_member(scim, outer["id"], middle["id"]).status_code == 204
    assert add_member(scim, middle["id"], inner["id"]).status_code == 204

    response = add_member(scim, inner["id"], outer["id"])

    assert assert_scim_error(response, 400)["scimType"] == "invalidValue"
    assert "members" not in scim.call("GET", f"/Groups/{inner['id']}").json()


# The admin API


@pytest.mark.parametrize("name", HOSTILE_BODIES)
def test_hostile_admin_bodies_are_400_and_keep_the_settings(emulator, admin_session, name):
    url = f"{emulator.url}/api/v1/scim"
    before = admin_session.get(url).json()

    response = admin_session.put(url, data=HOSTILE_BODIES[name])

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert admin_session.get(url).json() == before


def test_oversized_admin_body_is_413(emulator, admin_session):
    body = b'{"enabled": true, "accountSizeGb": 50, "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'

    response = admin_session.put(f"{emulator.url}/api/v1/scim", data=body)

    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_server_still_serves_after_the_hostile_requests(scim):
    response = scim.call("GET", "/Users", params={"filter": 'userName eq "after-the-storm"'})

    assert response.status_code == 200
    assert response.json()["totalResults"] == 0


def test_no_hostile_request_ended_in_a_server_traceback(emulator):
    """Runs last in this module: every request above was answered without an unhandled error."""
    log = emulator.log_text()

    assert "Traceback" not in log
    assert "Exception in ASGI application" not in log
