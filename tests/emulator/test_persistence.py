"""A restart loses nothing: settings, token hashes, users, groups, backup accounts.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

import stat
from collections.abc import Iterator

import pytest

from scim_setup.emulator.entra_replay import EntraReplay
from scim_setup.emulator.process import EmulatorProcess
from tests.support.leaks import assert_not_leaked
from tests.support.scim_account import enable_scim


@pytest.fixture(scope="module")
def restarted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """State written before a restart, and the emulator after it."""
    with EmulatorProcess(tmp_path_factory.mktemp("restart")) as emulator:
        with emulator.admin_session() as admin:
            token = enable_scim(emulator, admin, account_size_gb=30)
            before = admin.get(f"{emulator.url}/api/v1/scim").json()
        entra = EntraReplay(emulator.tenant_url, token)
        ada = entra.create_user("ada@example.com", "ada", "Ada", "Lovelace", "ada@example.com")
        bob = entra.create_user("bob@example.com", "bob", "Bob", "Byron", "bob@example.com")
        entra.disable_user(bob.json()["id"])
        group = entra.create_group("Engineers", "eng")
        entra.add_members(group.json()["id"], [ada.json()["id"]])
        entra.close()
        admin_token, tenant_id = emulator.admin_token, emulator.tenant_url.rsplit("/", 1)[1]

        emulator.restart()

        yield {
            "emulator": emulator,
            "token": token,
            "settings": before,
            "ada": ada.json(),
            "bob": bob.json(),
            "group": group.json(),
            "admin_token": admin_token,
            "tenant_id": tenant_id,
        }


def test_generated_admin_token_is_the_same_after_restart(restarted):
    assert restarted["emulator"].admin_token == restarted["admin_token"]


def test_tenant_id_is_stable_across_restart(restarted):
    assert restarted["emulator"].tenant_url.endswith(f"/scim/v2/{restarted['tenant_id']}")


def test_settings_and_token_description_survive_restart(restarted):
    emulator = restarted["emulator"]
    with emulator.admin_session() as admin:
        settings = admin.get(f"{emulator.url}/api/v1/scim").json()

    before = restarted["settings"]
    assert settings["enabled"] is True
    assert settings["accountSizeGb"] == 30
    assert settings["token"]["id"] == before["token"]["id"]
    assert settings["tenantUrl"] == emulator.tenant_url


def test_scim_token_generated_before_restart_still_authenticates(restarted):
    entra = EntraReplay(restarted["emulator"].tenant_url, restarted["token"])

    assert entra.test_connection().status_code == 200


def test_users_survive_restart_with_their_state(restarted):
    entra = EntraReplay(restarted["emulator"].tenant_url, restarted["token"])

    ada = entra.get_user(restarted["ada"]["id"]).json()
    bob = entra.find_user("BOB@example.com").json()["Resources"][0]

    assert ada["userName"] == "ada@example.com"
    assert ada["name"]["familyName"] == "Lovelace"
    assert bob["active"] is False


def test_groups_and_memberships_survive_restart(restarted):
    entra = EntraReplay(restarted["emulator"].tenant_url, restarted["token"])

    group = entra.session.get(f"{entra.base_url}/Groups/{restarted['group']['id']}").json()

    assert group["displayName"] == "Engineers"
    assert [member["value"] for member in group["members"]] == [restarted["ada"]["id"]]


def test_backup_accounts_survive_restart(restarted):
    emulator = restarted["emulator"]
    with emulator.admin_session() as admin:
        items = admin.get(f"{emulator.url}/api/v1/backup-accounts").json()["items"]

    accounts = {item["userName"]: item for item in items}
    assert accounts["ada@example.com"]["quotaGb"] == 30
    assert accounts["ada@example.com"]["active"] is True
    assert accounts["bob@example.com"]["active"] is False


def test_data_directory_holds_token_hashes_never_token_secrets(restarted):
    emulator = restarted["emulator"]
    database = b"".join(path.read_bytes() for path in emulator.data_dir.glob("emulator.sqlite3*"))

    assert_not_leaked(database.decode("latin-1"), restarted["token"], "the SQLite files")
    assert_not_leaked(database.decode("latin-1"), emulator.admin_token, "the SQLite files")


def test_generated_admin_tokens_file_is_readable_by_the_owner_only(restarted):
    path = restarted["emulator"].data_dir / "admin-tokens.json"

    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_admin_token_given_on_the_command_line_is_never_written_to_disk(tmp_path):
    given = "given-admin-token-7f3e9c"
    with EmulatorProcess(tmp_path, admin_token=given) as emulator:
        assert emulator.admin_token == given
        with emulator.admin_session() as admin:
            assert admin.get(f"{emulator.url}/api/v1/scim").status_code == 200

    on_disk = b"".join(path.read_bytes() for path in tmp_path.iterdir() if path.is_file())
    assert_not_leaked(on_disk.decode("latin-1"), given, "the data directory")
