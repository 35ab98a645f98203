"""The SCIM endpoint against RFC 7644 as a general-purpose SCIM client uses it.

PUT replace, the three `.search` endpoints, the PATCH response rules, member
`display`, SCIM error bodies for every 4xx, and a ServiceProviderConfig the
server lives up to.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scim_setup.emulator.process import EmulatorProcess
from scim_setup.emulator.scim_replay import GROUP_URN, PATCH_OP_URN, USER_URN, ScimReplay
from tests.support.scim_account import assert_scim_error, backup_account, unique

SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


class Client(ScimReplay):
    """A plain RFC 7644 client: any verb, any path under the tenant URL."""

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self._send(method, path, **kwargs)

    def user(self, **fields: Any) -> dict[str, Any]:
        name = unique("rfc")
        body = {"schemas": [USER_URN], "userName": f"{name}@example.com", "externalId": name}
        response = self.call("POST", "/Users", json={**body, **fields})
        assert response.status_code == 201, response.text
        return response.json()

    def group(self, members: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        body = {"schemas": [GROUP_URN], "displayName": unique("team"), "members": members or []}
        response = self.call("POST", "/Groups", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def search(self, path: str, **fields: Any) -> requests.Response:
        return self.call("POST", path, json={"schemas": [SEARCH_URN], **fields})


@pytest.fixture
def scim(emulator: EmulatorProcess, scim_token: str) -> Iterator[Client]:
    client = Client(emulator.tenant_url, scim_token)
    yield client
    client.close()


def patch(operations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP_URN], "Operations": operations}


# PUT /Users/{id}


def test_put_user_replaces_every_attribute_and_keeps_id_and_created(scim):
    user = scim.user(displayName="Before", title="Engineer", nickName="B")
    body = {"schemas": [USER_URN], "userName": user["userName"], "displayName": "After"}

    response = scim.call("PUT", f"/Users/{user['id']}", json=body)

    replaced = response.json()
    assert response.status_code == 200
    assert replaced["id"] == user["id"]
    assert replaced["displayName"] == "After"
    assert "title" not in replaced and "nickName" not in replaced
    assert "externalId" not in replaced
    assert replaced["meta"]["created"] == user["meta"]["created"]
    assert scim.call("GET", f"/Users/{user['id']}").json() == replaced


def test_put_user_ignores_read_only_meta_and_accepts_its_own_id(scim):
    user = scim.user()
    body = {
        "schemas": [USER_URN],
        "id": user["id"],
        "userName": user["userName"],
        "meta": {"resourceType": "User", "created": "1999-01-01T00:00:00Z"},
    }

    response = scim.call("PUT", f"/Users/{user['id']}", json=body)

    assert response.status_code == 200, response.text
    assert response.json()["meta"]["created"] == user["meta"]["created"]


def test_put_user_with_another_id_in_the_body_is_400_mutability(scim):
    user, other = scim.user(), scim.user()
    body = {"schemas": [USER_URN], "id": other["id"], "userName": user["userName"]}

    response = scim.call("PUT", f"/Users/{user['id']}", json=body)

    assert assert_scim_error(response, 400)["scimType"] == "mutability"
    assert scim.call("GET", f"/Users/{user['id']}").json() == user


def test_put_user_taking_another_user_name_is_409_uniqueness(scim):
    user, other = scim.user(), scim.user()
    body = {"schemas": [USER_URN], "userName": other["userName"].upper()}

    response = scim.call("PUT", f"/Users/{user['id']}", json=body)

    assert assert_scim_error(response, 409)["scimType"] == "uniqueness"


def test_put_user_without_user_name_is_400(scim):
    user = scim.user()

    response = scim.call("PUT", f"/Users/{user['id']}", json={"schemas": [USER_URN]})

    assert assert_scim_error(response, 400)["scimType"] in ("invalidValue", "invalidSyntax")


def test_put_unknown_user_is_404(scim):
    body = {"schemas": [USER_URN], "userName": "nobody@example.com"}

    assert_scim_error(scim.call("PUT", "/Users/no-such-user", json=body), 404)


def test_put_active_false_and_patch_active_false_do_the_same_to_the_backup_account(emulator, scim):
    by_put, by_patch = scim.user(), scim.user()
    put_body = {"schemas": [USER_URN], "userName": by_put["userName"], "active": False}
    replace_active = patch([{"op": "replace", "path": "active", "value": False}])

    scim.call("PUT", f"/Users/{by_put['id']}", json=put_body)
    scim.call("PATCH", f"/Users/{by_patch['id']}", json=replace_active)

    for user in (by_put, by_patch):
        account = backup_account(emulator, user["userName"])
        assert account["active"] is False
        assert account["quotaGb"] == 50
        assert scim.call("GET", f"/Users/{user['id']}").json()["active"] is False


# PUT /Groups/{id}


def test_put_group_replaces_name_and_members_and_keeps_display(scim):
    first, second, third = scim.user(), scim.user(), scim.user()
    group = scim.group([{"value": first["id"]}, {"value": second["id"]}])
    body = {
        "schemas": [GROUP_URN],
        "displayName": unique("renamed"),
        "members": [{"value": third["id"], "display": "Third Person"}],
    }

    response = scim.call("PUT", f"/Groups/{group['id']}", json=body)

    assert response.status_code == 200, response.text
    assert response.json()["displayName"] == body["displayName"]
    assert [(m["value"], m.get("display")) for m in response.json()["members"]] == [
        (third["id"], "Third Person")
    ]


def test_put_group_with_unknown_member_is_400_invalid_value_and_changes_nothing(scim):
    group = scim.group()
    body = {"schemas": [GROUP_URN], "displayName": "x", "members": [{"value": "ghost"}]}

    response = scim.call("PUT", f"/Groups/{group['id']}", json=body)

    assert assert_scim_error(response, 400)["scimType"] == "invalidValue"
    assert "ghost" in response.json()["detail"]
    assert scim.call("GET", f"/Groups/{group['id']}").json()["displayName"] == group["displayName"]


def test_put_group_with_another_id_is_400_and_duplicate_name_is_409(scim):
    group, other = scim.group(), scim.group()
    mismatched = {"schemas": [GROUP_URN], "id": other["id"], "displayName": "y"}
    taken = {"schemas": [GROUP_URN], "displayName": other["displayName"]}

    assert_scim_error(scim.call("PUT", f"/Groups/{group['id']}", json=mismatched), 400)
    conflict = scim.call("PUT", f"/Groups/{group['id']}", json=taken)
    assert assert_scim_error(conflict, 409)["scimType"] == "uniqueness"


# PATCH responses and member display


def test_patch_user_answers_200_with_the_resource_subject_to_attributes(scim):
    user = scim.user()
    body = patch([{"op": "replace", "path": "displayName", "value": "Patched"}])

    full = scim.call("PATCH", f"/Users/{user['id']}", json=body)
    narrowed = scim.call(
        "PATCH", f"/Users/{user['id']}", params={"attributes": "displayName"}, json=body
    )

    assert full.status_code == 200 and full.json()["userName"] == user["userName"]
    assert narrowed.status_code == 200
    assert set(narrowed.json()) == {"schemas", "id", "displayName"}


def test_patch_group_is_204_by_default_and_200_with_the_group_when_attributes_are_asked(scim):
    group = scim.group()
    member = scim.user()
    add = patch([{"op": "add", "path": "members", "value": [{"value": member["id"]}]}])
    rename = patch([{"op": "replace", "path": "displayName", "value": unique("asked")}])

    default = scim.call("PATCH", f"/Groups/{group['id']}", json=add)
    asked = scim.call(
        "PATCH", f"/Groups/{group['id']}", params={"attributes": "displayName,members"}, json=rename
    )

    assert default.status_code == 204 and default.content == b""
    assert asked.status_code == 200
    assert asked.json()["displayName"] == rename["Operations"][0]["value"]
    assert [m["value"] for m in asked.json()["members"]] == [member["id"]]


def test_member_display_given_by_patch_is_kept_on_read(scim):
    group = scim.group()
    member = scim.user()
    value = [{"value": member["id"], "display": "Ada Lovelace"}]

    scim.call(
        "PATCH",
        f"/Groups/{group['id']}",
        json=patch([{"op": "add", "path": "members", "value": value}]),
    )

    members = scim.call("GET", f"/Groups/{group['id']}").json()["members"]
    assert members == [
        {
            "value": member["id"],
            "$ref": f"{scim.base_url}/Users/{member['id']}",
            "type": "User",
            "display": "Ada Lovelace",
        }
    ]


def test_adding_a_nonexistent_member_by_patch_is_a_scim_400_invalid_value(scim):
    group = scim.group()
    add = patch([{"op": "add", "path": "members", "value": [{"value": "no-such-user"}]}])

    response = scim.call("PATCH", f"/Groups/{group['id']}", json=add)

    body = assert_scim_error(response, 400)
    assert body["scimType"] == "invalidValue"
    assert "no-such-user" in body["detail"]


# .search


def test_users_search_filters_pages_and_selects_like_get(scim):
    users = [scim.user(title="Searcher") for _ in range(3)]
    names = " or ".join(f'userName eq "{user["userName"]}"' for user in users)

    response = scim.search(
        "/Users/.search", filter=names, startIndex=2, count=1, attributes=["userName"]
    )
    get = scim.call(
        "GET",
        "/Users",
        params={"filter": names, "startIndex": 2, "count": 1, "attributes": "userName"},
    )

    body = response.json()
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/scim+json")
    assert body["schemas"] == [LIST_URN]
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (3, 2, 1)
    assert set(body["Resources"][0]) == {"schemas", "id", "userName"}
    assert body == get.json()


def test_groups_search_honours_excluded_attributes(scim):
    group = scim.group([{"value": scim.user()["id"]}])

    body = scim.search(
        "/Groups/.search",
        filter=f'displayName eq "{group["displayName"]}"',
        excludedAttributes=["members"],
    ).json()

    assert [g["id"] for g in body["Resources"]] == [group["id"]]
    assert "members" not in body["Resources"][0]


def test_root_search_returns_users_and_groups_and_filters_each_on_its_attributes(scim):
    user = scim.user()
    group = scim.group()
    by_id = f'id eq "{user["id"]}" or id eq "{group["id"]}"'

    both = scim.search("/.search", filter=by_id).json()
    only_users = scim.search("/.search", filter=f'userName eq "{user["userName"]}"').json()

    assert [r["id"] for r in both["Resources"]] == [user["id"], group["id"]]
    assert [r["meta"]["resourceType"] for r in both["Resources"]] == ["User", "Group"]
    assert [r["id"] for r in only_users["Resources"]] == [user["id"]]


def test_search_without_the_search_request_schema_is_400_invalid_syntax(scim):
    response = scim.call("POST", "/Users/.search", json={"filter": 'userName eq "x"'})

    assert assert_scim_error(response, 400)["scimType"] == "invalidSyntax"


def test_search_with_a_bad_filter_is_400_invalid_filter(scim):
    response = scim.search("/Users/.search", filter='title co "x"')

    assert assert_scim_error(response, 400)["scimType"] == "invalidFilter"


# Errors and ServiceProviderConfig


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/Nowhere", 404),
        ("GET", "/Users/no-such-user", 404),
        ("DELETE", "/Groups/no-such-group", 404),
        ("POST", "/Users/some-id", 405),
        ("DELETE", "/Users", 405),
        ("PATCH", "/ServiceProviderConfig", 405),
    ],
)
def test_every_4xx_is_a_scim_error_body(scim, method, path, status):
    assert_scim_error(scim.call(method, path), status)


def test_service_provider_config_says_exactly_what_is_supported(scim):
    config = scim.call("GET", "/ServiceProviderConfig").json()

    assert config["patch"] == {"supported": True}
    assert config["bulk"]["supported"] is False
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["changePassword"] == {"supported": False}
    assert config["sort"] == {"supported": False}
    assert config["etag"] == {"supported": False}
    assert [scheme["type"] for scheme in config["authenticationSchemes"]] == ["oauthbearertoken"]


def test_bulk_is_501_as_the_config_says(scim):
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []}

    assert_scim_error(scim.call("POST", "/Bulk", json=body), 501)


def test_pages_never_exceed_filter_max_results(scim):
    for _ in range(201):
        scim.user()

    page = scim.call("GET", "/Users", params={"count": 1000}).json()

    assert page["totalResults"] >= 201
    assert page["itemsPerPage"] == len(page["Resources"]) == 200


def test_no_etag_is_sent_as_etag_is_unsupported(scim):
    user = scim.user()

    response = scim.call("GET", f"/Users/{user['id']}")

    assert "ETag" not in response.headers
    assert "version" not in response.json()["meta"]


def test_password_is_accepted_on_create_but_never_stored_or_returned(scim):
    user = scim.user(password="s3cret-Passw0rd")

    assert "password" not in user
    assert "s3cret" not in scim.call("GET", f"/Users/{user['id']}").text


def test_put_leaving_active_out_makes_user_and_backup_account_active(emulator, scim):
    user = scim.user(active=False)
    assert backup_account(emulator, user["userName"])["active"] is False

    response = scim.call(
        "PUT", f"/Users/{user['id']}", json={"schemas": [USER_URN], "userName": user["userName"]}
    )

    assert response.status_code == 200
    assert response.json().get("active") is not False
    assert backup_account(emulator, user["userName"])["active"] is True


def test_application_json_bodies_and_if_match_are_accepted(scim):
    user = scim.user()
    body = patch([{"op": "replace", "path": "nickName", "value": "N"}])

    response = scim.call(
        "PATCH",
        f"/Users/{user['id']}",
        json=body,
        headers={"Content-Type": "application/json", "If-Match": 'W/"anything"'},
    )

    assert response.status_code == 200
    assert response.json()["nickName"] == "N"


def test_a_bad_query_parameter_on_a_write_is_400_before_anything_changes(scim):
    user = scim.user()
    body = patch([{"op": "replace", "path": "displayName", "value": "Never"}])

    response = scim.call("PATCH", f"/Users/{user['id']}", params={"count": "many"}, json=body)

    assert assert_scim_error(response, 400)["scimType"] == "invalidValue"
    assert "displayName" not in scim.call("GET", f"/Users/{user['id']}").json()
