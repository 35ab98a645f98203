"""ScimSettings CRUD, refresh and drift against the running emulator (real HTTP)."""

from __future__ import annotations

import pytest

from providers.dashboard.scim_settings import ScimSettingsProvider
from tests.support.dashboard import Dashboard

PROVIDER_BLOB = {"__provider": "serialized-provider"}
OWNER = "pulumi:organization/scim-setup/test"


@pytest.fixture
def provider(configured, dashboard: Dashboard) -> ScimSettingsProvider:
    dashboard.put_settings(enabled=False, account_size_gb=50)
    dashboard.clear_requests()
    return configured(ScimSettingsProvider())


def desired(enabled: bool = True, size: float = 120, keep: bool = False) -> dict:
    return {
        "enabled": enabled,
        "account_size_gb": size,
        "keep_enabled_on_destroy": keep,
        "adopt": False,
        "owner": OWNER,
    }


def test_create_adopts_account_and_applies_desired_settings(provider, dashboard):
    result = provider.create(desired(size=120))

    settings = dashboard.settings()
    assert settings["enabled"] is True
    assert settings["accountSizeGb"] == 120
    assert result.id == settings["tenantUrl"]
    assert result.outs == {
        "tenant_url": settings["tenantUrl"],
        "enabled": True,
        "account_size_gb": 120,
        "keep_enabled_on_destroy": False,
        "adopt": False,
        "owner": OWNER,
    }
    assert settings["owner"] == OWNER


def test_create_writes_nothing_when_account_already_matches(provider, dashboard):
    provider.create(desired(size=75))
    dashboard.clear_requests()

    provider.create(desired(size=75))

    assert dashboard.writes() == []


def test_refresh_detects_scim_switched_off_in_ui(provider, dashboard):
    outs = provider.create(desired()).outs
    dashboard.put_settings(enabled=False, account_size_gb=120)

    read = provider.read(outs["tenant_url"], {**outs, **PROVIDER_BLOB})

    assert read.outs is not None and read.outs["enabled"] is False
    assert read.inputs == desired(enabled=False)
    assert provider.diff(read.id, read.outs, {**desired(), **PROVIDER_BLOB}).changes is True


def test_refresh_detects_account_size_changed_in_ui(provider, dashboard):
    outs = provider.create(desired(size=120)).outs
    dashboard.put_settings(enabled=True, account_size_gb=300)

    read = provider.read(outs["tenant_url"], outs)

    assert read.outs is not None and read.outs["account_size_gb"] == 300
    assert provider.diff(read.id, read.outs, desired(size=120)).changes is True


def test_update_applies_new_size_in_place(provider, dashboard):
    outs = provider.create(desired(size=120)).outs

    updated = provider.update(outs["tenant_url"], outs, desired(size=500))

    assert updated.outs == {**outs, "account_size_gb": 500}
    assert dashboard.settings()["accountSizeGb"] == 500


def test_diff_ignores_provider_and_engine_floats(provider):
    provider.create(desired(size=120))
    olds = {**desired(size=120), "tenant_url": "http://x/scim/v2/t", "__provider": "old-code"}
    news = {**desired(size=120), "account_size_gb": 120.0, "__provider": "new-code"}

    result = provider.diff("id", olds, news)

    assert result.changes is False
    assert result.replaces == []


def test_diff_reports_changed_size_without_replacement(provider):
    result = provider.diff("id", desired(size=120), desired(size=200.0))

    assert result.changes is True
    assert result.replaces == []


def test_delete_switches_scim_off_and_keeps_size(provider, dashboard):
    outs = provider.create(desired(size=90)).outs

    provider.delete(outs["tenant_url"], outs)

    settings = dashboard.settings()
    assert settings["enabled"] is False
    assert settings["accountSizeGb"] == 90


def test_delete_leaves_scim_on_when_told_to(provider, dashboard):
    outs = provider.create(desired(keep=True)).outs
    dashboard.clear_requests()

    provider.delete(outs["tenant_url"], outs)

    assert dashboard.settings()["enabled"] is True
    assert dashboard.writes() == []
