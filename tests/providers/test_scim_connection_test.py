"""Entra's Test Connection against the running emulator: every outcome, with its exact message.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from pulumi import UNKNOWN

from providers.dashboard.connection_check import ScimConnectionTestProvider
from providers.dashboard.scim_probe import ConnectionTestFailed, send_test_connection
from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.support.dashboard import Dashboard
from tests.support.leaks import assert_not_leaked

FILTER = 'filter=userName eq "<random guid>"'


class Scim(dict[str, str]):
    """The tested inputs; printed without the token, should a failure report show it."""

    def __repr__(self) -> str:
        return f"Scim(tenant_url={self['tenant_url']!r}, token=***)"


@pytest.fixture
def scim(dashboard: Dashboard) -> Scim:
    """SCIM on, a fresh token: what `pulumi up` leaves behind."""
    dashboard.put_settings(enabled=True, account_size_gb=50)
    generated = dashboard.regenerate_token()
    return Scim(
        tenant_url=dashboard.settings()["tenantUrl"],
        token=generated["token"],
        token_id=generated["id"],
    )


def call(tenant_url: str) -> str:
    return f"Test Connection (GET {tenant_url}/Users?{FILTER})"


def assert_clean(message: str, token: str) -> None:
    assert "\n" not in message
    assert_not_leaked(message, token, "the Test Connection message")


def test_good_token_gets_200_with_an_empty_list_response(scim, dashboard):
    dashboard.clear_requests()

    result = send_test_connection(scim["tenant_url"], scim["token"])

    assert (result.passed, result.status) == (True, 200)
    assert result.message == (
        f"{call(scim['tenant_url'])}: 200 with an empty ListResponse, as Entra needs"
    )
    (request,) = dashboard.requests()
    assert (request["method"], request["path"]) == (
        "GET",
        f"{urlsplit(scim['tenant_url']).path}/Users",
    )


def test_superseded_token_is_explained_as_regenerated_elsewhere(scim, dashboard):
    dashboard.regenerate_token()

    result = send_test_connection(scim["tenant_url"], scim["token"])

    assert (result.passed, result.status) == (False, 401)
    assert result.message == (
        f"{call(scim['tenant_url'])} returned 401: the Dashboard did not accept the SCIM token "
        "(regenerated or revoked elsewhere, e.g. in the Dashboard UI?). Run `pulumi up`: it sees "
        "the token is no longer the active one and generates a new one"
    )
    assert_clean(result.message, scim["token"])


def test_scim_switched_off_is_explained(scim, dashboard):
    dashboard.put_settings(enabled=False, account_size_gb=50)

    result = send_test_connection(scim["tenant_url"], scim["token"])

    dashboard.put_settings(enabled=True, account_size_gb=50)
    assert (result.passed, result.status) == (False, 403)
    assert result.message == (
        f"{call(scim['tenant_url'])} returned 403: SCIM user management is switched off in the "
        "Dashboard. Set `scim:enabled` to true (or enable it in the Dashboard), then run "
        "`pulumi up`"
    )


@pytest.mark.parametrize("wrong", ["wrong-tenant", "../v1/nothing"])
def test_wrong_tenant_url_path_is_explained(scim, wrong):
    tenant_url = scim["tenant_url"].rsplit("/", 1)[0] + f"/{wrong}"

    result = send_test_connection(tenant_url, scim["token"])

    assert (result.passed, result.status) == (False, 404)
    assert result.message == (
        f"{call(tenant_url)} returned 404: no SCIM endpoint at this tenant URL (wrong host, path "
        "or tenant id). Use the Tenant URL the Dashboard shows"
    )


def test_unreachable_host_is_explained(scim):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tenant_url = f"http://127.0.0.1:{port}/scim/v2/t1"

    result = send_test_connection(tenant_url, scim["token"])

    assert (result.passed, result.status) == (False, None)
    assert result.message == (
        f"{call(tenant_url)} failed: could not connect to the Dashboard. Check the tenant URL's "
        "host and port and that the Dashboard is up."
    )


def test_slow_server_times_out_within_the_deadline(scim, dashboard):
    dashboard.fault(method="GET", path="/scim/*", delaySeconds=3, count=1)

    result = send_test_connection(scim["tenant_url"], scim["token"], timeout=(1.0, 0.5))

    assert (result.passed, result.status) == (False, None)
    assert result.message == (
        f"{call(scim['tenant_url'])} got no answer within 1s to connect and 0.5s to respond; "
        "Entra gives up too. Check the Dashboard is up and not overloaded."
    )


@pytest.fixture(scope="module")
def untrusted_tls() -> Iterator[FakeGraphProcess]:
    """An HTTPS server whose self-signed certificate nobody trusts."""
    with FakeGraphProcess() as server:
        yield server


def test_untrusted_certificate_is_explained(scim, untrusted_tls, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    tenant_url = f"{untrusted_tls.url}/scim/v2/t1"

    result = send_test_connection(tenant_url, scim["token"])

    assert (result.passed, result.status) == (False, None)
    assert result.message == (
        f"{call(tenant_url)} failed: the TLS handshake failed (certificate not trusted, expired "
        "or for another host). Fix the Dashboard's certificate or the tenant URL's host name."
    )


# --- the dynamic resource ----------------------------------------------------------------------


@pytest.fixture
def provider(configured: Any) -> ScimConnectionTestProvider:
    return configured(ScimConnectionTestProvider())


def test_create_passes_and_records_the_tokens_last_use(provider, scim, dashboard):
    result = provider.create(dict(scim))

    assert result.outs is not None
    assert result.outs["result"] == "passed"
    assert result.outs["token"] == scim["token"]  # kept for downstream, as a secret output
    assert result.outs["token_last_used_at"] == dashboard.settings()["token"]["lastUsedAt"]
    assert result.outs["token_last_used_at"] is not None


def test_create_fails_with_the_one_line_reason(provider, scim, dashboard):
    dashboard.regenerate_token()

    with pytest.raises(ConnectionTestFailed) as failed:
        provider.create(dict(scim))

    assert "returned 401: the Dashboard did not accept the SCIM token" in str(failed.value)
    assert_clean(str(failed.value), scim["token"])


def test_preview_sends_nothing(provider, scim, dashboard):
    dashboard.clear_requests()
    olds = {**scim, "result": "passed"}

    checked = provider.check({}, dict(scim))
    same = provider.diff(scim["token_id"], olds, dict(scim))
    switched_off = provider.diff(scim["token_id"], olds, {**scim, "scim_enabled": False})
    new_token = provider.diff(scim["token_id"], olds, {**scim, "token": "other"})
    moved = provider.diff(scim["token_id"], olds, {**scim, "tenant_url": "https://x/scim"})

    assert checked.failures == []
    assert (same.changes, new_token.changes, moved.changes) == (False, True, True)
    assert switched_off.changes is False
    assert new_token.replaces == moved.replaces == []
    assert dashboard.requests() == []


def test_preview_shows_a_token_it_does_not_know_yet_but_not_an_unknown_tenant_url(provider, scim):
    """A replaced token is unknown in preview, and the Entra secret takes its token from this
    resource: the change must show. Any settings update makes the tenant URL unknown too, which
    is not a change by itself."""
    olds = {**scim, "result": "passed"}

    rotating = provider.diff(scim["token_id"], olds, {**scim, "token": UNKNOWN})
    settings_update = provider.diff(scim["token_id"], olds, {**scim, "tenant_url": UNKNOWN})

    assert rotating.changes is True
    assert settings_update.changes is False


def test_refresh_reads_last_use_without_probing_again(provider, scim, dashboard):
    outs = provider.create(dict(scim)).outs
    assert outs is not None
    dashboard.clear_requests()

    read = provider.read(scim["token_id"], outs)

    assert read.outs is not None
    assert read.outs["result"] == "passed"
    assert [r["path"] for r in dashboard.requests()] == ["/api/v1/scim"]


def test_scim_switched_off_by_the_stack_is_skipped_then_tested_when_switched_on(
    provider, scim, dashboard
):
    dashboard.put_settings(enabled=False, account_size_gb=50)
    off = {**scim, "scim_enabled": False}
    dashboard.clear_requests()

    skipped = provider.create(dict(off)).outs
    sent_while_off = [r for r in dashboard.requests() if r["path"].endswith("/Users")]
    dashboard.put_settings(enabled=True, account_size_gb=50)
    on = {**scim, "scim_enabled": True}
    switched_on = provider.diff(scim["token_id"], skipped, on)
    tested = provider.update(scim["token_id"], skipped, on).outs

    assert sent_while_off == []
    assert skipped["result"] == "skipped"
    assert switched_on.changes is True
    assert tested["result"] == "passed"
