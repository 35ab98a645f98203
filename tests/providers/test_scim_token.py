"""ScimToken generate, refresh, revoke and rotation against the running emulator (real HTTP).

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from providers.dashboard.scim_token import ScimTokenProvider
from tests.support.dashboard import Dashboard


@pytest.fixture
def provider(configured, dashboard: Dashboard) -> ScimTokenProvider:
    dashboard.put_settings(enabled=True, account_size_gb=50)
    return configured(ScimTokenProvider())


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


def test_create_generates_token_the_scim_endpoint_accepts(provider, dashboard):
    result = provider.create({})

    assert result.outs is not None
    assert result.id == result.outs["token_id"] == dashboard.settings()["token"]["id"]
    assert dashboard.scim_status(result.outs["token"]) == 200


def test_refresh_reports_token_gone_after_ui_regenerates_it(provider, dashboard):
    outs = provider.create({}).outs
    dashboard.regenerate_token()

    read = provider.read(outs["token_id"], outs)

    assert read.id == ""
    assert read.outs == {}


def test_refresh_reports_token_gone_after_ui_revokes_it(provider, dashboard):
    outs = provider.create({}).outs
    assert dashboard.revoke_token(outs["token_id"]) == 204

    assert provider.read(outs["token_id"], outs).id == ""


def test_refresh_keeps_current_token_and_its_secret(provider):
    outs = provider.create({"rotate_after_days": 30}).outs

    read = provider.read(outs["token_id"], outs)

    assert read.id == outs["token_id"]
    assert read.outs == outs
    assert read.inputs == {"rotate_after_days": 30}


def test_delete_revokes_current_token(provider, dashboard):
    outs = provider.create({}).outs

    provider.delete(outs["token_id"], outs)

    assert dashboard.settings()["token"] is None
    assert dashboard.scim_status(outs["token"]) == 401


def test_delete_leaves_newer_token_alone(provider, dashboard):
    old = provider.create({}).outs
    new = provider.create({}).outs

    provider.delete(old["token_id"], old)

    assert dashboard.settings()["token"]["id"] == new["token_id"]
    assert dashboard.scim_status(new["token"]) == 200
    assert dashboard.scim_status(old["token"]) == 401


def test_keepers_change_replaces_token(provider):
    outs = provider.create({"keepers": {"owner": "team-a"}}).outs

    result = provider.diff(outs["token_id"], outs, {"keepers": {"owner": "team-b"}})

    assert result.changes is True
    assert result.replaces == ["keepers"]
    assert result.delete_before_replace is False


def test_token_older_than_rotate_after_days_is_replaced(provider):
    outs = {**provider.create({"rotate_after_days": 30}).outs, "created_at": days_ago(31)}

    result = provider.diff(outs["token_id"], outs, {"rotate_after_days": 30.0})

    assert result.changes is True
    assert result.replaces == ["rotate_after_days"]


def test_young_token_with_same_policy_is_unchanged(provider):
    outs = provider.create({"rotate_after_days": 30, "keepers": {"k": "v"}}).outs
    news = {"rotate_after_days": 30.0, "keepers": {"k": "v"}, "__provider": "new-code"}

    result = provider.diff(outs["token_id"], {**outs, "__provider": "old"}, news)

    assert result.changes is False
    assert result.replaces == []


def test_changing_rotation_policy_updates_in_place_and_keeps_secret(provider, dashboard):
    outs = provider.create({"rotate_after_days": 30}).outs
    diff = provider.diff(outs["token_id"], outs, {"rotate_after_days": 90})
    assert (diff.changes, diff.replaces) == (True, [])

    updated = provider.update(outs["token_id"], outs, {"rotate_after_days": 90})

    assert updated.outs == {**outs, "rotate_after_days": 90}
    assert dashboard.scim_status(outs["token"]) == 200
