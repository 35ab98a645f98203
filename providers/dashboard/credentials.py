"""Where the Dashboard URL and admin API token come from, and whether they are usable.

They arrive through the dynamic provider's `configure()` (stack config, never state) with
environment-variable fallbacks, so they are never captured in the serialized provider.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from providers.configured_provider import ConfigSource
from providers.dashboard.client import (
    DEFAULT_TIMEOUT_S,
    TIMEOUT_KEY,
    TIMEOUT_S_MAX,
    TIMEOUT_S_MIN,
    DashboardClient,
    DashboardConfigError,
)
from providers.http_transport import REAL_CLOCK, Clock

URL_KEY = "dashboard:url"
API_TOKEN_KEY = "dashboard:apiToken"
URL_ENV = "DASHBOARD_URL"
API_TOKEN_ENV = "DASHBOARD_API_TOKEN"


def dashboard_url_problem(url: str) -> str | None:
    """Why `url` cannot be the Dashboard's base URL, or None when it can.

    Plain http is allowed only for loopback addresses (the local emulator): the admin token and the
    SCIM token travel in headers. The message never repeats user info (a password) from the URL.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "is not a URL; use the Dashboard's address, e.g. https://dashboard.example.com"
    shown = repr(redacted_url(url))
    if parts.username is not None or parts.password is not None:
        return (
            f"{shown} contains user info; remove it and put the admin credential in "
            f"`pulumi config set --secret {API_TOKEN_KEY}`"
        )
    if parts.scheme not in ("http", "https") or not host:
        return (
            f"{shown} is not a URL; use the Dashboard's address, e.g. https://dashboard.example.com"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return f"{shown} has an invalid port; use 1-65535, or none for the scheme's default"
    if parts.scheme == "http" and not _is_loopback(host):
        return (
            f"{shown} uses plain http; use https (http is allowed only for loopback, "
            "e.g. the local emulator at http://127.0.0.1:PORT)"
        )
    if parts.query or parts.fragment:
        return f"{shown} must be a plain base URL without query or fragment"
    return None


def redacted_url(url: str) -> str:
    """`url` with any user info replaced by `***`, safe to print."""
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{path}" if sep else ("***" if "@" in url else url)


def timeout_problem(value: str | None) -> str | None:
    """Why `dashboard:timeoutSeconds` is unusable, or None."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not TIMEOUT_S_MIN <= seconds <= TIMEOUT_S_MAX:
        return (
            f"must be a number of seconds from {TIMEOUT_S_MIN:g} to {TIMEOUT_S_MAX:g} "
            f"(default {DEFAULT_TIMEOUT_S:g})"
        )
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class DashboardCredentials:
    """The resolved Dashboard address and admin credential (the token is never printed)."""

    url: str | None
    api_token: str | None = field(repr=False)
    timeout_s: str | None = None

    @classmethod
    def from_config(
        cls, config: ConfigSource, environ: Mapping[str, str] | None = None
    ) -> DashboardCredentials:
        env = os.environ if environ is None else environ
        return cls(
            url=config.get(URL_KEY) or env.get(URL_ENV) or None,
            api_token=config.get(API_TOKEN_KEY) or env.get(API_TOKEN_ENV) or None,
            timeout_s=config.get(TIMEOUT_KEY) or None,
        )

    def problems(self) -> dict[str, str]:
        """Config key → what is wrong with it and how to fix it."""
        found: dict[str, str] = {}
        if not self.url:
            found[URL_KEY] = (
                f"not set; run `pulumi config set {URL_KEY} https://<your dashboard>` "
                f"(or set {URL_ENV})"
            )
        elif problem := dashboard_url_problem(self.url):
            found[URL_KEY] = problem
        if not self.api_token:
            found[API_TOKEN_KEY] = (
                f"not set; run `pulumi config set --secret {API_TOKEN_KEY} <admin API token>` "
                f"(or set {API_TOKEN_ENV})"
            )
        if problem := timeout_problem(self.timeout_s):
            found[TIMEOUT_KEY] = problem
        return found

    def client(self, clock: Clock = REAL_CLOCK) -> DashboardClient:
        """A client for this Dashboard; `clock` is the transport's time (tests pass their own)."""
        problems = self.problems()
        if problems or not self.url or not self.api_token:
            raise DashboardConfigError(
                "; ".join(f"{key}: {reason}" for key, reason in problems.items())
            )
        seconds = DEFAULT_TIMEOUT_S if self.timeout_s is None else float(self.timeout_s)
        return DashboardClient(self.url, self.api_token, timeout_s=seconds, clock=clock)
