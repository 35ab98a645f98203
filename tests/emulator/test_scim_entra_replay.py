"""The SCIM endpoint answers every request shape Entra ID documents (research §1).

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

from typing import Any

import pytest
import requests

from scim_setup.emulator.entra_replay import COMPLIANCE_FLAG, EntraReplay
from tests.support.leaks import assert_not_leaked
from tests.support.scim_account import (
    assert_scim_error,
    backup_account,
    backup_accounts,
    enable_scim,
    unique,
)

LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def new_user(entra: EntraReplay, **overrides: Any) -> dict[str, Any]:
    """Create a user with unique names and return the created resource."""
    name = unique("user")
    fields = {
        "user_name": f"{name}@example.com",
        "external_id": name,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": f"{name}@example.com",
    }
    response = entra.create_user(**{**fields, **overrides})
    assert response.status_code == 201, response.text
    return response.json()


# Test Connection and authentication


def test_test_connection_with_random_guid_is_200_with_empty_list_response(entra):
    response = entra.test_connection()

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/scim+json")
    assert response.json()["schemas"] == [LIST_URN]
    assert response.json()["totalResults"] == 0
    assert response.json()["Resources"] == []


def test_tenant_url_query_string_flag_is_ignored(emulator, scim_token):
    flagged = EntraReplay(f"{emulator.tenant_url}?{COMPLIANCE_FLAG}", scim_token)

    assert flagged.compliant is True
    assert flagged.test_connection().status_code == 200


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-scim-token", "Basic eDp5"])
def test_missing_or_wrong_scim_token_is_401_scim_error(emulator, scim_token, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{emulator.tenant_url}/Users", headers=headers)

    assert_scim_error(response, 401)
    assert_not_leaked(response.text, "wrong-scim-token", "the SCIM 401 body")


def test_admin_token_does_not_authenticate_on_the_scim_endpoint(emulator, scim_token):
    response = EntraReplay(emulator.tenant_url, emulator.admin_token).test_connection()

    assert_scim_error(response, 401)


def test_disabled_scim_is_403_scim_error(emulator, admin_session, entra):
    admin_session.put(f"{emulator.url}/api/v1/scim", json={"enabled": False, "accountSizeGb": 50})

    response = entra.test_connection()

    assert_scim_error(response, 403)


def test_unknown_tenant_id_is_404(emulator, scim_token):
    other = emulator.tenant_url.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"

    assert_scim_error(EntraReplay(other, scim_token).test_connection(), 404)


# Users


def test_create_user_is_201_with_id_location_and_the_resource(entra):
    name = unique("ada")
    response = entra.create_user(
        f"{name}@example.com", name, "Ada", "Lovelace", f"{name}@example.com"
    )

    body = response.json()
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/scim+json")
    assert body["id"]
    assert response.headers["Location"] == body["meta"]["location"]
    assert body["meta"]["location"] == f"{entra.base_url}/Users/{body['id']}"
    assert body["userName"] == f"{name}@example.com"
    assert body["externalId"] == name
    assert body["active"] is True
    assert body["emails"] == [{"value": f"{name}@example.com", "type": "work", "primary": True}]


def test_create_user_with_null_attributes_and_misspelt_enterprise_urn_is_201(entra):
    name = unique("nulls")
    response = entra.create_user(
        f"{name}@example.com", name, "Null", "Tolerant", f"{name}@example.com", with_nulls=True
    )

    assert response.status_code == 201, response.text
    assert response.json()["displayName"] == "Null Tolerant"
    assert "title" not in response.json()


def test_duplicate_user_name_in_other_case_is_409_uniqueness(entra):
    user = new_user(entra)

    response = entra.create_user(
        user["userName"].upper(), "other", "Other", "Person", "other@example.com"
    )

    assert assert_scim_error(response, 409)["scimType"] == "uniqueness"


def test_user_name_lookup_is_case_insensitive(entra):
    user = new_user(entra)

    found = entra.find_user(user["userName"].upper()).json()

    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == user["id"]


def test_external_id_lookup_accepts_the_unquoted_value(entra):
    user = new_user(entra)

    found = entra.find_user_by_external_id(user["externalId"]).json()

    assert [resource["id"] for resource in found["Resources"]] == [user["id"]]


def test_filters_joined_by_and_must_all_match(entra):
    user = new_user(entra)
    both = f'userName eq "{user["userName"]}" and externalId eq "{user["externalId"]}"'
    wrong = f'userName eq "{user["userName"]}" and externalId eq "someone-else"'

    def total(expression: str) -> int:
        return entra.session.get(f"{entra.base_url}/Users", params={"filter": expression}).json()[
            "totalResults"
        ]

    assert total(both) == 1
    assert total(wrong) == 0
    assert total(f'id eq "{user["id"]}"') == 1


def test_unsupported_filter_is_400_invalid_filter(entra):
    response = entra.session.get(
        f"{entra.base_url}/Users", params={"filter": 'title co "engineer"'}
    )

    assert assert_scim_error(response, 400)["scimType"] == "invalidFilter"


def test_get_unknown_user_is_404_scim_error_with_string_status(entra):
    assert_scim_error(entra.get_user("no-such-user"), 404)


def test_patch_and_delete_of_unknown_user_are_404(entra):
    assert_scim_error(entra.disable_user("no-such-user"), 404)
    assert_scim_error(entra.delete_user("no-such-user"), 404)


def test_update_with_one_replace_per_path_answers_200_with_the_resource(entra):
    user = new_user(entra)

    response = entra.update_user(
        user["id"], email="moved@example.com", family_name="Byron", compliant=False
    )

    assert response.status_code == 200
    assert response.json()["emails"][0]["value"] == "moved@example.com"
    assert response.json()["name"]["familyName"] == "Byron"
    assert entra.get_user(user["id"]).json()["name"]["familyName"] == "Byron"


def test_update_as_no_path_replace_with_dotted_keys_is_applied(entra):
    user = new_user(entra)

    response = entra.update_user(
        user["id"],
        email="dotted@example.com",
        given_name="Augusta",
        display_name="Augusta Ada King",
        employee_number="1815",
        compliant=True,
    )

    body = response.json()
    assert response.status_code == 200, response.text
    assert body["name"]["givenName"] == "Augusta"
    assert body["displayName"] == "Augusta Ada King"
    assert body["emails"][0]["value"] == "dotted@example.com"
    assert body[ENTERPRISE_URN]["employeeNumber"] == "1815"


def test_renaming_user_name_to_a_taken_one_is_409(entra):
    first, second = new_user(entra), new_user(entra)

    response = entra.update_user(second["id"], user_name=first["userName"])

    assert assert_scim_error(response, 409)["scimType"] == "uniqueness"


def test_add_manager_as_entra_sends_it_sets_the_enterprise_manager(entra):
    employee, manager = new_user(entra), new_user(entra)

    response = entra.set_manager(employee["id"], manager["id"])

    assert response.status_code == 200, response.text
    assert response.json()[ENTERPRISE_URN]["manager"]["value"] == manager["id"]


def test_add_of_a_single_value_to_an_empty_attribute(entra):
    user = new_user(entra)

    response = entra.add_to_empty_attribute(user["id"], "Babs")

    assert response.json()["nickName"] == "Babs"


def test_add_through_a_filter_path_with_no_match_creates_the_element(entra):
    user = new_user(entra)

    response = entra.add_phone(user["id"], "+44 20 7946 0000")

    assert response.status_code == 200, response.text
    assert response.json()["phoneNumbers"] == [{"value": "+44 20 7946 0000", "type": "mobile"}]


@pytest.mark.parametrize("compliant", [False, True], ids=["string-False", "boolean-false"])
def test_disable_marks_user_and_backup_account_inactive_and_keeps_both(emulator, entra, compliant):
    user = new_user(entra)

    response = entra.disable_user(user["id"], compliant=compliant)

    assert response.status_code == 200
    assert response.json()["active"] is False
    assert entra.find_user(user["userName"]).json()["Resources"][0]["active"] is False
    assert backup_account(emulator, user["userName"])["active"] is False


@pytest.mark.parametrize("compliant", [False, True], ids=["string-True", "boolean-true"])
def test_re_enable_marks_user_and_backup_account_active_again(emulator, entra, compliant):
    user = new_user(entra)
    entra.disable_user(user["id"], compliant=not compliant)

    response = entra.enable_user(user["id"], compliant=compliant)

    assert response.json()["active"] is True
    assert backup_account(emulator, user["userName"])["active"] is True


def test_delete_user_is_204_and_removes_user_and_backup_account(emulator, entra):
    user = new_user(entra)

    response = entra.delete_user(user["id"])

    assert response.status_code == 204
    assert_scim_error(entra.get_user(user["id"]), 404)
    assert entra.find_user(user["userName"]).json()["totalResults"] == 0
    assert user["userName"] not in backup_accounts(emulator)


def test_full_user_lifecycle_create_update_disable_enable_delete(emulator, entra):
    user = new_user(entra)
    account = backup_account(emulator, user["userName"])
    assert account["externalId"] == user["externalId"]
    assert account["active"] is True

    assert entra.update_user(user["id"], family_name="King").status_code == 200
    assert entra.disable_user(user["id"]).json()["active"] is False
    assert entra.enable_user(user["id"]).json()["active"] is True
    assert entra.delete_user(user["id"]).status_code == 204
    assert user["userName"] not in backup_accounts(emulator)


def test_backup_account_quota_is_the_account_size_when_the_user_was_created(
    emulator, admin_session
):
    token = enable_scim(emulator, admin_session, account_size_gb=10)
    entra = EntraReplay(emulator.tenant_url, token)
    small = new_user(entra)
    admin_session.put(f"{emulator.url}/api/v1/scim", json={"enabled": True, "accountSizeGb": 20})
    large = new_user(entra)

    assert backup_account(emulator, small["userName"])["quotaGb"] == 10
    assert backup_account(emulator, large["userName"])["quotaGb"] == 20


# Paging and attributes


def test_list_pages_with_start_index_and_count_cover_every_user_once(entra):
    for _ in range(7):
        new_user(entra)
    total = entra.list_users(1, 1).json()["totalResults"]

    seen: list[str] = []
    for start in range(1, total + 1, 5):
        page = entra.list_users(start, 5).json()
        assert page["startIndex"] == start
        assert page["itemsPerPage"] == len(page["Resources"]) <= 5
        seen += [resource["id"] for resource in page["Resources"]]

    assert len(seen) == len(set(seen)) == total


def test_count_zero_answers_only_the_total(entra):
    new_user(entra)

    page = entra.list_users(1, 0).json()

    assert page["totalResults"] >= 1
    assert page["Resources"] == []


# Groups


def new_group(entra: EntraReplay) -> dict[str, Any]:
    name = unique("group")
    response = entra.create_group(name, f"ext-{name}")
    assert response.status_code == 201, response.text
    return response.json()


def member_ids(entra: EntraReplay, group_id: str) -> list[str]:
    group = entra.session.get(f"{entra.base_url}/Groups/{group_id}").json()
    return [member["value"] for member in group.get("members", [])]


def test_create_group_with_microsoft_adscim_schema_is_201_as_a_core_group(entra):
    group = new_group(entra)

    assert group["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Group"]
    assert group["id"]
    assert "members" not in group


def test_duplicate_group_display_name_is_409(entra):
    group = new_group(entra)

    response = entra.create_group(group["displayName"], "other")

    assert_scim_error(response, 409)


def test_group_lookup_by_display_name_excludes_members(entra):
    group = new_group(entra)
    entra.add_members(group["id"], [new_user(entra)["id"]])

    found = entra.find_group(group["displayName"]).json()
    fetched = entra.get_group(group["id"]).json()

    assert [resource["id"] for resource in found["Resources"]] == [group["id"]]
    assert "members" not in found["Resources"][0]
    assert "members" not in fetched
    assert fetched["displayName"] == group["displayName"]


def test_add_members_is_204_and_adds_them(entra):
    group = new_group(entra)
    users = [new_user(entra)["id"] for _ in range(3)]

    response = entra.add_members(group["id"], users)

    assert response.status_code == 204
    assert response.content == b""
    assert member_ids(entra, group["id"]) == users


@pytest.mark.parametrize("compliant", [False, True], ids=["value-list-form", "filter-path-form"])
def test_remove_members_in_both_entra_forms(entra, compliant):
    group = new_group(entra)
    keep, drop_one, drop_two = (new_user(entra)["id"] for _ in range(3))
    entra.add_members(group["id"], [keep, drop_one, drop_two])

    response = entra.remove_members(group["id"], [drop_one, drop_two], compliant=compliant)

    assert response.status_code == 204
    assert member_ids(entra, group["id"]) == [keep]


def test_adding_an_unknown_member_is_400_and_changes_nothing(entra):
    group = new_group(entra)

    response = entra.add_members(group["id"], ["no-such-user"])

    assert assert_scim_error(response, 400)["scimType"] == "invalidValue"
    assert member_ids(entra, group["id"]) == []


def test_rename_group_is_204(entra):
    group = new_group(entra)
    name = unique("renamed")

    assert entra.rename_group(group["id"], name).status_code == 204
    assert entra.get_group(group["id"]).json()["displayName"] == name


def test_deleting_a_member_user_removes_the_membership(entra):
    group = new_group(entra)
    user = new_user(entra)
    entra.add_members(group["id"], [user["id"]])

    entra.delete_user(user["id"])

    assert member_ids(entra, group["id"]) == []


def test_delete_group_is_204_then_404(entra):
    group = new_group(entra)

    assert entra.delete_group(group["id"]).status_code == 204
    assert_scim_error(entra.get_group(group["id"]), 404)


# Discovery


def test_service_provider_config_announces_patch_and_filter(entra):
    config = entra.session.get(f"{entra.base_url}/ServiceProviderConfig").json()

    assert config["patch"]["supported"] is True
    assert config["filter"]["supported"] is True
    assert config["bulk"]["supported"] is False


def test_resource_types_list_users_with_enterprise_extension_and_groups(entra):
    types = entra.session.get(f"{entra.base_url}/ResourceTypes").json()["Resources"]

    by_name = {resource_type["name"]: resource_type for resource_type in types}
    assert by_name["User"]["endpoint"] == "/Users"
    assert by_name["User"]["schemaExtensions"][0]["schema"] == ENTERPRISE_URN
    assert by_name["Group"]["endpoint"] == "/Groups"


def test_schemas_list_user_enterprise_user_and_group(entra):
    response = entra.schemas()

    ids = {schema["id"] for schema in response.json()["Resources"]}
    assert response.headers["Content-Type"].startswith("application/scim+json")
    assert ids == {
        "urn:ietf:params:scim:schemas:core:2.0:User",
        ENTERPRISE_URN,
        "urn:ietf:params:scim:schemas:core:2.0:Group",
    }
