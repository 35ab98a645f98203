"""Every `check()` failure names the property and the fix, before any Dashboard call is made."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi import UNKNOWN

from providers.configured_provider import ConfiguredProvider
from providers.dashboard.scim_settings import ScimSettingsProvider
from providers.dashboard.scim_token import ScimTokenProvider
from tests.providers.conftest import configure

GOOD_CONFIG = {"dashboard:url": "https://dashboard.example.com", "dashboard:apiToken": "adm-1"}
GOOD_SETTINGS = {
    "enabled": True,
    "account_size_gb": 50,
    "keep_enabled_on_destroy": False,
    "adopt": False,
    "owner": "",
}


def failures(provider: ConfiguredProvider, news: dict[str, Any], config=None) -> dict[str, str]:
    configured = configure(provider, GOOD_CONFIG if config is None else config)
    return {f.property: f.reason for f in configured.check({}, news).failures}


@pytest.mark.parametrize("size", [0, 10241, 50.5, "50", True, -3])
def test_account_size_outside_whole_number_range_is_rejected(size):
    found = failures(ScimSettingsProvider(), {**GOOD_SETTINGS, "account_size_gb": size})

    assert found == {"account_size_gb": "must be a whole number of GB from 1 to 10240"}


@pytest.mark.parametrize("key", ["enabled", "keep_enabled_on_destroy"])
def test_non_boolean_switch_is_rejected(key):
    found = failures(ScimSettingsProvider(), {**GOOD_SETTINGS, key: "yes"})

    assert found == {key: "must be true or false"}


def test_engine_float_size_is_accepted_and_normalised_to_int():
    provider = configure(ScimSettingsProvider(), GOOD_CONFIG)

    result = provider.check({}, {**GOOD_SETTINGS, "account_size_gb": 75.0})

    assert result.failures == []
    assert result.inputs["account_size_gb"] == 75
    assert isinstance(result.inputs["account_size_gb"], int)


def test_missing_settings_take_documented_defaults():
    result = configure(ScimSettingsProvider(), GOOD_CONFIG).check({}, {})

    assert result.failures == []
    assert result.inputs == GOOD_SETTINGS


def test_unknown_values_during_preview_pass_check():
    found = failures(
        ScimSettingsProvider(), {"enabled": UNKNOWN, "account_size_gb": UNKNOWN}
    ) | failures(ScimTokenProvider(), {"rotate_after_days": UNKNOWN, "keepers": UNKNOWN})

    assert found == {}


@pytest.mark.parametrize("days", [-1, 0, 1.5, "7", False])
def test_rotate_after_days_must_be_positive_whole_number(days):
    found = failures(ScimTokenProvider(), {"rotate_after_days": days})

    assert list(found) == ["rotate_after_days"]
    assert (
        "whole number of days, 1 or more (or unset to never rotate)" in found["rotate_after_days"]
    )


def test_keepers_must_be_a_map():
    found = failures(ScimTokenProvider(), {"keepers": ["a", "b"]})

    assert found == {"keepers": "must be a map of names to values"}


@pytest.mark.parametrize(
    "url", ["http://dashboard.example.com", "http://10.0.0.5:8080", "http://192.168.1.2"]
)
def test_plain_http_dashboard_url_is_rejected_unless_loopback(url):
    found = failures(ScimTokenProvider(), {}, {**GOOD_CONFIG, "dashboard:url": url})

    assert list(found) == ["dashboard:url"]
    assert "use https" in found["dashboard:url"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8750", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_loopback_dashboard_url_is_accepted(url):
    assert failures(ScimTokenProvider(), {}, {**GOOD_CONFIG, "dashboard:url": url}) == {}


@pytest.mark.parametrize("url", ["dashboard.example.com", "ftp://dashboard.example.com"])
def test_dashboard_url_without_http_scheme_is_rejected(url):
    found = failures(ScimSettingsProvider(), GOOD_SETTINGS, {**GOOD_CONFIG, "dashboard:url": url})

    assert "is not a URL" in found["dashboard:url"]


def test_dashboard_url_with_query_is_rejected():
    config = {**GOOD_CONFIG, "dashboard:url": "https://d.example.com/?tenant=1"}

    found = failures(ScimSettingsProvider(), GOOD_SETTINGS, config)

    assert "without query" in found["dashboard:url"]


def test_missing_credentials_say_which_config_key_to_set(monkeypatch):
    monkeypatch.delenv("DASHBOARD_URL", raising=False)
    monkeypatch.delenv("DASHBOARD_API_TOKEN", raising=False)

    found = failures(ScimSettingsProvider(), GOOD_SETTINGS, {})

    assert "pulumi config set dashboard:url" in found["dashboard:url"]
    assert "pulumi config set --secret dashboard:apiToken" in found["dashboard:apiToken"]


def test_environment_variables_are_the_credential_fallback(monkeypatch):
    monkeypatch.setenv("DASHBOARD_URL", "https://from-env.example.com")
    monkeypatch.setenv("DASHBOARD_API_TOKEN", "from-env")

    assert failures(ScimSettingsProvider(), GOOD_SETTINGS, {}) == {}
