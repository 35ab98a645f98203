"""The Dashboard admin API as docs/dashboard-api.md describes it.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

from typing import Any

import pytest
import requests

from scim_setup.emulator.process import EmulatorProcess
from tests.support.leaks import assert_not_leaked
from tests.support.scim_account import enable_scim


def settings_url(emulator: EmulatorProcess) -> str:
    return f"{emulator.url}/api/v1/scim"


def scim_status(emulator: EmulatorProcess, token: str) -> int:
    """What Entra's Test Connection gets with `token`."""
    response = requests.get(
        f"{emulator.tenant_url}/Users",
        params={"filter": 'userName eq "0c9a3e56-1d0b-4f43-9b55-2f2f7d0b6f01"'},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code


def test_a_new_account_has_scim_disabled_50_gb_and_no_token(tmp_path):
    with EmulatorProcess(tmp_path) as fresh, fresh.admin_session() as admin:
        settings = admin.get(settings_url(fresh)).json()

    assert settings == {
        "enabled": False,
        "tenantUrl": fresh.tenant_url,
        "accountSizeGb": 50,
        "owner": None,
        "token": None,
    }


def test_tenant_url_is_the_scim_base_url_on_this_dashboard(emulator, admin_session):
    tenant_url = admin_session.get(settings_url(emulator)).json()["tenantUrl"]

    assert tenant_url == emulator.tenant_url
    assert tenant_url.startswith(f"{emulator.url}/scim/v2/")


def test_put_settings_answers_and_keeps_the_new_settings(emulator, admin_session):
    response = admin_session.put(
        settings_url(emulator), json={"enabled": True, "accountSizeGb": 120}
    )

    assert response.status_code == 200
    assert response.json()["enabled"] is True
    assert response.json()["accountSizeGb"] == 120
    assert admin_session.get(settings_url(emulator)).json() == response.json()


def test_put_settings_twice_changes_nothing_the_second_time(emulator, admin_session):
    body = {"enabled": False, "accountSizeGb": 75}
    first = admin_session.put(settings_url(emulator), json=body).json()
    second = admin_session.put(settings_url(emulator), json=body).json()

    assert first == second


def test_account_size_given_as_whole_float_is_accepted(emulator, admin_session):
    response = admin_session.put(
        settings_url(emulator), json={"enabled": True, "accountSizeGb": 50.0}
    )

    assert response.status_code == 200
    assert response.json()["accountSizeGb"] == 50


@pytest.mark.parametrize("size", [50.5, "50", True, 0, 10241, -1, None])
def test_account_size_outside_whole_1_to_10240_is_422_naming_the_field(
    emulator, admin_session, size
):
    response = admin_session.put(
        settings_url(emulator), json={"enabled": True, "accountSizeGb": size}
    )

    assert response.status_code == 422
    assert response.json()["error"] == "validation_failed"
    assert response.json()["field"] == "accountSizeGb"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"accountSizeGb": 50}, "enabled"),
        ({"enabled": "true", "accountSizeGb": 50}, "enabled"),
        ({"enabled": 1, "accountSizeGb": 50}, "enabled"),
        ({"enabled": True}, "accountSizeGb"),
    ],
)
def test_missing_or_mistyped_field_is_422_naming_it(emulator, admin_session, body, field):
    response = admin_session.put(settings_url(emulator), json=body)

    assert response.status_code == 422
    assert response.json()["field"] == field


def test_range_limits_1_and_10240_are_accepted(emulator, admin_session):
    for size in (1, 10240):
        response = admin_session.put(
            settings_url(emulator), json={"enabled": True, "accountSizeGb": size}
        )
        assert response.json()["accountSizeGb"] == size


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'{"accountSizeGb": NaN}'])
def test_body_that_is_not_a_json_object_is_400(emulator, admin_session, raw):
    response = admin_session.put(
        settings_url(emulator), data=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_generated_token_is_shown_once_and_described_without_secret(emulator, admin_session):
    created = admin_session.post(f"{settings_url(emulator)}/token")
    settings = admin_session.get(settings_url(emulator))

    assert created.status_code == 201
    assert set(created.json()) == {"id", "token", "createdAt", "label"}
    assert settings.json()["token"] == {
        "id": created.json()["id"],
        "createdAt": created.json()["createdAt"],
        "lastUsedAt": None,
        "label": None,
    }
    assert_not_leaked(settings.text, created.json()["token"], "GET /api/v1/scim")


def test_generating_a_token_invalidates_the_previous_one_at_once(emulator, admin_session):
    first = enable_scim(emulator, admin_session)
    assert scim_status(emulator, first) == 200

    second = admin_session.post(f"{settings_url(emulator)}/token").json()["token"]

    assert scim_status(emulator, first) == 401
    assert scim_status(emulator, second) == 200


def test_token_use_is_recorded_as_last_used_at(emulator, admin_session):
    token = enable_scim(emulator, admin_session)

    scim_status(emulator, token)

    assert admin_session.get(settings_url(emulator)).json()["token"]["lastUsedAt"]


def test_revoking_the_active_token_is_204_and_scim_rejects_it(emulator, admin_session):
    token = enable_scim(emulator, admin_session)
    token_id = admin_session.get(settings_url(emulator)).json()["token"]["id"]

    response = admin_session.delete(f"{settings_url(emulator)}/token/{token_id}")

    assert response.status_code == 204
    assert admin_session.get(settings_url(emulator)).json()["token"] is None
    assert scim_status(emulator, token) == 401


def test_revoking_a_revoked_token_again_is_404(emulator, admin_session):
    enable_scim(emulator, admin_session)
    token_id = admin_session.get(settings_url(emulator)).json()["token"]["id"]
    admin_session.delete(f"{settings_url(emulator)}/token/{token_id}")

    response = admin_session.delete(f"{settings_url(emulator)}/token/{token_id}")

    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_revoking_a_superseded_token_is_404_and_keeps_the_active_one(emulator, admin_session):
    enable_scim(emulator, admin_session)
    old_id = admin_session.get(settings_url(emulator)).json()["token"]["id"]
    active = admin_session.post(f"{settings_url(emulator)}/token").json()

    response = admin_session.delete(f"{settings_url(emulator)}/token/{old_id}")

    assert response.status_code == 404
    assert scim_status(emulator, active["token"]) == 200


def test_disabling_scim_keeps_the_token_and_scim_answers_403_until_enabled(emulator, admin_session):
    token = enable_scim(emulator, admin_session)

    admin_session.put(settings_url(emulator), json={"enabled": False, "accountSizeGb": 50})
    assert scim_status(emulator, token) == 403
    assert admin_session.get(settings_url(emulator)).json()["token"] is not None

    admin_session.put(settings_url(emulator), json={"enabled": True, "accountSizeGb": 50})
    assert scim_status(emulator, token) == 200


def test_backup_accounts_list_has_the_documented_shape(emulator, admin_session):
    response = admin_session.get(f"{emulator.url}/api/v1/backup-accounts")

    assert response.status_code == 200
    assert isinstance(response.json()["items"], list)


ADMIN_CALLS = [
    ("GET", "/api/v1/scim", None),
    ("PUT", "/api/v1/scim", {"enabled": True, "accountSizeGb": 50}),
    ("POST", "/api/v1/scim/token", None),
    ("DELETE", "/api/v1/scim/token/tok_0000000000000000", None),
    ("GET", "/api/v1/backup-accounts", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Basic YWRtaW46YWRtaW4=", "Bearer not-a-real-token"]
)
def test_missing_malformed_or_wrong_admin_token_is_401(emulator, method, path, body, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.request(method, f"{emulator.url}{path}", json=body, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert_not_leaked(response.text, "not-a-real-token", "the 401 body")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_valid_token_without_administrator_role_is_403(emulator, method, path, body):
    response = requests.request(
        method,
        f"{emulator.url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {emulator.viewer_token}"},
    )

    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "message": "administrator role required"}
    assert_not_leaked(response.text, emulator.viewer_token, "the 403 body")


def test_viewer_cannot_generate_a_token(emulator, admin_session):
    before = admin_session.get(settings_url(emulator)).json()["token"]

    requests.post(
        f"{settings_url(emulator)}/token",
        headers={"Authorization": f"Bearer {emulator.viewer_token}"},
    )

    assert admin_session.get(settings_url(emulator)).json()["token"] == before


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/api/v1/nothing-here", 404, "not_found"), ("DELETE", "/api/v1/scim", 405, None)],
)
def test_unknown_path_or_method_answers_a_json_error(
    emulator, admin_session, method, path, status, code
):
    response = admin_session.request(method, f"{emulator.url}{path}")

    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "message"}
    if code:
        assert body["error"] == code


def test_no_admin_error_body_contains_the_admin_token(emulator, admin_session):
    bodies = [
        admin_session.put(settings_url(emulator), json={"enabled": "x"}).text,
        admin_session.put(settings_url(emulator), data=b"{").text,
        admin_session.delete(f"{settings_url(emulator)}/token/{emulator.admin_token}").text,
        admin_session.get(f"{emulator.url}/api/v1/{emulator.admin_token}").text,
    ]

    for body in bodies:
        assert_not_leaked(body, emulator.admin_token, "an admin error body")
