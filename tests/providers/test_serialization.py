"""The serialized provider imports cleanly in a fresh process and carries no credential or token.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import textwrap

import grpc
import pytest

from tests.support.dashboard import Dashboard
from tests.support.dynamic_server import PROJECT_ROOT, DynamicProviderServer
from tests.support.leaks import assert_not_leaked

TOKEN_URN = "urn:pulumi:dev::scim-setup::pulumi-python:dynamic/dashboard:ScimToken::token"
SETTINGS_URN = "urn:pulumi:dev::scim-setup::pulumi-python:dynamic/dashboard:ScimSettings::scim"

SERIALIZE = textwrap.dedent(
    """
    import sys
    from pulumi.dynamic import Config, ConfigureRequest
    from pulumi.dynamic.dynamic import serialize_provider
    from providers.{module} import {cls}

    provider = {cls}()
    if sys.argv[1:]:
        config = {{"dashboard:url": sys.argv[1], "dashboard:apiToken": sys.argv[2]}}
        provider.configure(ConfigureRequest(Config(config, "scim-setup")))
        provider.client().get_settings()
    print(serialize_provider(provider))
    """
)


def serialized(module: str, cls: str, *config: str) -> str:
    """`__provider` as the program computes it, in a fresh interpreter at the project root."""
    code = SERIALIZE.format(module=module, cls=cls)
    result = subprocess.run(
        [sys.executable, "-c", code, *config],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_provider_is_pickled_by_reference_without_state():
    blob = base64.b64decode(serialized("scim_token", "ScimTokenProvider"))

    assert b"providers.dashboard.scim_token" in blob
    assert b"ScimTokenProvider" in blob
    assert len(blob) < 200


def test_configured_provider_serializes_without_admin_token(emulator):
    blob = serialized("scim_settings", "ScimSettingsProvider", emulator.url, emulator.admin_token)

    assert blob == serialized("scim_settings", "ScimSettingsProvider")
    assert_not_leaked(base64.b64decode(blob).decode("latin-1"), emulator.admin_token, "__provider")


@pytest.fixture
def server(emulator):
    with DynamicProviderServer() as server:
        server.configure(
            {"dashboard:url": emulator.url, "dashboard:apiToken": emulator.admin_token}
        )
        yield server


def test_engine_path_creates_reads_and_revokes_token(server, emulator):
    dashboard = Dashboard(emulator.url, emulator.admin_token)
    dashboard.put_settings(enabled=True, account_size_gb=50)
    provider = serialized("scim_token", "ScimTokenProvider")
    checked = server.check(TOKEN_URN, {"__provider": provider, "rotate_after_days": 30})
    assert list(checked.failures) == []

    token_id, outs = server.create(TOKEN_URN, server.checked_inputs(checked))

    assert outs["__provider"] == provider
    assert outs["rotate_after_days"] == 30
    assert dashboard.scim_status(outs["token"]) == 200
    assert_not_leaked(outs["__provider"], outs["token"], "__provider")
    assert server.read(token_id, TOKEN_URN, outs)[0] == token_id
    server.delete(token_id, TOKEN_URN, outs)
    assert server.read(token_id, TOKEN_URN, outs)[0] == ""


def test_engine_path_diff_ignores_provider_and_float_sizes(server):
    olds = {
        "__provider": "the-previous-program's-provider",
        "enabled": True,
        "account_size_gb": 50,
        "keep_enabled_on_destroy": False,
    }
    news = {
        **olds,
        "__provider": serialized("scim_settings", "ScimSettingsProvider"),
        "account_size_gb": 50.0,
    }

    response = server.diff("id", SETTINGS_URN, olds, news)

    assert response.changes == response.DIFF_NONE


def test_engine_path_reports_check_failures_by_property(server):
    provider = serialized("scim_settings", "ScimSettingsProvider")

    checked = server.check(SETTINGS_URN, {"__provider": provider, "account_size_gb": 0})

    assert [f.property for f in checked.failures] == ["account_size_gb"]


def test_errors_reaching_the_engine_never_contain_the_admin_token(emulator):
    wrong = "wrong-admin-token-93ab"
    provider = serialized("scim_token", "ScimTokenProvider")
    with DynamicProviderServer() as server:
        server.configure({"dashboard:url": emulator.url, "dashboard:apiToken": wrong})

        with pytest.raises(grpc.RpcError) as caught:
            server.create(TOKEN_URN, {"__provider": provider})

    details = caught.value.details() or ""  # type: ignore[attr-defined]
    assert "dashboard:apiToken" in details
    assert_not_leaked(details, wrong, "the error the engine prints")
