"""Okta, OneLogin and Google Workspace, replayed as their documentation describes them.

Each provider's lifecycle ends with the backup account where the Dashboard
promises it: deactivation by PUT or by PATCH leaves it inactive with its data
and quota, reactivation brings it back, deletion removes it.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

from collections.abc import Iterator

import pytest

from scim_setup.emulator.process import EmulatorProcess
from tests.support.google_replay import GoogleReplay
from tests.support.okta_replay import OktaReplay
from tests.support.onelogin_replay import OneLoginReplay
from tests.support.scim_account import backup_account, backup_accounts, unique


@pytest.fixture
def okta(emulator: EmulatorProcess, scim_token: str) -> Iterator[OktaReplay]:
    replay = OktaReplay(emulator.tenant_url, scim_token)
    yield replay
    replay.close()


@pytest.fixture
def onelogin(emulator: EmulatorProcess, scim_token: str) -> Iterator[OneLoginReplay]:
    replay = OneLoginReplay(emulator.tenant_url, scim_token)
    yield replay
    replay.close()


@pytest.fixture
def google(emulator: EmulatorProcess, scim_token: str) -> Iterator[GoogleReplay]:
    replay = GoogleReplay(emulator.tenant_url, scim_token)
    yield replay
    replay.close()


# Okta


def okta_user(okta: OktaReplay) -> tuple[dict, dict]:
    """Create a user as Okta does (lookup miss, then POST); return (body sent, resource)."""
    name = f"{unique('okta')}@example.com"
    assert okta.find_user(name).json()["totalResults"] == 0
    body = okta.user_body(name, "Grace", "Hopper", unique("00u"))
    response = okta.create_user(body["userName"], "Grace", "Hopper", body["externalId"])
    assert response.status_code == 201, response.text
    return {**body, "externalId": response.json()["externalId"]}, response.json()


def test_okta_connection_check_pages_with_constant_start_index_and_count(okta):
    response = okta.test_connection()

    body = response.json()
    assert response.status_code == 200
    assert body["startIndex"] == 1
    assert body["itemsPerPage"] <= 2


def test_okta_lookup_by_user_name_with_paging_finds_the_created_user(okta):
    _, user = okta_user(okta)

    found = okta.find_user(user["userName"]).json()

    assert found["totalResults"] == 1
    assert found["startIndex"] == 1
    assert found["Resources"][0]["id"] == user["id"]


def test_okta_create_accepts_groups_and_password_and_returns_neither(okta):
    _, user = okta_user(okta)

    assert user["displayName"] == "Grace Hopper"
    assert user["locale"] == "en-US"
    assert "password" not in user
    assert "groups" not in user


def test_okta_profile_update_by_put_replaces_the_user(emulator, okta):
    sent, user = okta_user(okta)

    response = okta.replace_user(user["id"], {**sent, "displayName": "Rear Admiral Hopper"})

    assert response.status_code == 200, response.text
    assert response.json()["displayName"] == "Rear Admiral Hopper"
    assert backup_account(emulator, user["userName"])["active"] is True


def test_okta_deactivation_by_put_disables_user_and_keeps_the_backup_account(emulator, okta):
    sent, user = okta_user(okta)

    response = okta.deactivate_by_put(user["id"], sent)

    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    assert okta.find_user(user["userName"]).json()["Resources"][0]["active"] is False
    assert backup_account(emulator, user["userName"])["active"] is False


def test_okta_deactivation_by_patch_has_the_same_effect_and_reactivation_undoes_it(emulator, okta):
    _, user = okta_user(okta)

    deactivated = okta.set_active(user["id"], False)
    account = backup_account(emulator, user["userName"])
    reactivated = okta.set_active(user["id"], True)

    assert deactivated.status_code == 200 and deactivated.json()["active"] is False
    assert account["active"] is False and account["quotaGb"] == 50
    assert reactivated.json()["active"] is True
    assert backup_account(emulator, user["userName"])["active"] is True


def test_okta_import_pages_cover_every_user_once(okta):
    for _ in range(3):
        okta_user(okta)
    first = okta.import_users(1).json()

    ids = [user["id"] for user in first["Resources"]]
    start = 1 + len(ids)
    while start <= first["totalResults"]:
        ids += [user["id"] for user in okta.import_users(start).json()["Resources"]]
        start = 1 + len(ids)

    assert len(ids) == len(set(ids)) == first["totalResults"]


def test_okta_group_push_create_rename_add_remove_replace_delete(okta):
    _, ada = okta_user(okta)
    _, bob = okta_user(okta)
    name = unique("okta-group")

    created = okta.create_group(name, [{"value": ada["id"], "display": ada["userName"]}])
    group_id = created.json()["id"]
    renamed = okta.rename_group(group_id, f"{name}-renamed")
    added = okta.add_members(group_id, [{"value": bob["id"], "display": bob["userName"]}])
    found = okta.find_group(f"{name}-renamed").json()
    removed = okta.remove_member(group_id, ada["id"])
    replaced = okta.replace_group(group_id, name, [{"value": ada["id"], "display": "Ada"}])
    deleted = okta.delete_group(group_id)

    assert created.status_code == 201, created.text
    assert [(m["value"], m["display"]) for m in created.json()["members"]] == [
        (ada["id"], ada["userName"])
    ]
    assert renamed.status_code == 204, renamed.text
    assert added.status_code == 204
    assert found["Resources"][0]["id"] == group_id
    assert [m["display"] for m in found["Resources"][0]["members"]] == [
        ada["userName"],
        bob["userName"],
    ]
    assert removed.status_code == 204
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["displayName"] == name
    assert [(m["value"], m["display"]) for m in replaced.json()["members"]] == [(ada["id"], "Ada")]
    assert deleted.status_code == 204


def test_okta_rename_with_another_groups_id_is_refused(okta):
    first = okta.create_group(unique("g"), []).json()
    second = okta.create_group(unique("g"), []).json()

    response = okta._patch(
        f"/Groups/{first['id']}",
        [{"op": "replace", "value": {"id": second["id"], "displayName": "stolen"}}],
    )

    assert response.status_code == 400
    assert response.json()["scimType"] == "mutability"


# OneLogin


def test_onelogin_initial_connection_is_an_empty_list(onelogin):
    response = onelogin.test_connection()

    assert response.status_code == 200
    assert response.json()["totalResults"] == 0
    assert response.json()["Resources"] == []


def test_onelogin_user_lifecycle_create_update_suspend_delete(emulator, onelogin):
    name = f"{unique('ol')}@example.com"
    body = onelogin.user_body(name, "Katherine", "Johnson")
    assert onelogin.find_user(name).json()["totalResults"] == 0

    created = onelogin.create_user(body)
    user_id = created.json()["id"]
    fetched = onelogin.get_user(user_id)
    updated = onelogin.update_user(user_id, {**body, "displayName": "K. Johnson"})
    suspended = onelogin.suspend_user(user_id, body)
    account_after_suspend = backup_account(emulator, name)
    deleted = onelogin.delete_user(user_id)

    assert created.status_code == 201, created.text
    assert fetched.json()["name"]["formatted"] == "Katherine Johnson"
    assert updated.status_code == 200 and updated.json()["displayName"] == "K. Johnson"
    assert suspended.status_code == 200 and suspended.json()["active"] is False
    assert account_after_suspend["active"] is False
    assert deleted.status_code == 204
    assert name not in backup_accounts(emulator)


def test_onelogin_groups_list_create_and_patch_members(onelogin):
    user = onelogin.create_user(onelogin.user_body(f"{unique('ol')}@example.com", "A", "B")).json()
    group = onelogin.create_group(unique("ol-group")).json()

    added = onelogin.add_member(group["id"], user["id"])
    listed = onelogin.list_groups().json()
    removed = onelogin.remove_member(group["id"], user["id"])

    assert added.status_code == 204
    mine = next(g for g in listed["Resources"] if g["id"] == group["id"])
    assert [m["value"] for m in mine["members"]] == [user["id"]]
    assert removed.status_code == 204
    assert "members" not in onelogin._send("GET", f"/Groups/{group['id']}").json()


# Google Workspace


def test_google_connection_check_with_count_one(google):
    response = google.test_connection()

    assert response.status_code == 200
    assert response.json()["itemsPerPage"] <= 1


def test_google_suspend_restore_and_delete_follow_the_deprovisioning_settings(emulator, google):
    email = f"{unique('gw')}@example.com"
    assert google.find_user(email).json()["totalResults"] == 0

    user = google.create_user(email, "Dorothy", "Vaughan").json()
    suspended = google.set_active(user["id"], False)
    account = backup_account(emulator, email)
    restored = google.set_active(user["id"], True)
    deleted = google.delete_user(user["id"])

    assert suspended.status_code == 200 and suspended.json()["active"] is False
    assert account["active"] is False
    assert restored.json()["active"] is True
    assert deleted.status_code == 204
    assert email not in backup_accounts(emulator)
