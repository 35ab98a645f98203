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

from pulumi.dynamic import Config

from providers.dashboard_client import DashboardClient, DashboardConfigError

URL_KEY = "dashboard:url"
API_TOKEN_KEY = "dashboard:apiToken"
URL_ENV = "DASHBOARD_URL"
API_TOKEN_ENV = "DASHBOARD_API_TOKEN"


def dashboard_url_problem(url: str) -> str | None:
    """Why `url` cannot be the Dashboard's base URL, or None when it can.

    Plain http is allowed only for loopback addresses (the local emulator): the admin token and the
    SCIM token travel in headers.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return (
            f"{url!r} is not a URL; use the Dashboard's address, e.g. https://dashboard.example.com"
        )
    if parts.scheme == "http" and not _is_loopback(host):
        return (
            f"{url!r} uses plain http; use https (http is allowed only for loopback, "
            "e.g. the local emulator at http://127.0.0.1:PORT)"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        return f"{url!r} must be a plain base URL without query, fragment or user info"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class DashboardConnection:
    """The resolved Dashboard address and admin credential (the token is never printed)."""

    url: str | None
    api_token: str | None = field(repr=False)

    @classmethod
    def from_config(
        cls, config: Config, environ: Mapping[str, str] | None = None
    ) -> DashboardConnection:
        env = os.environ if environ is None else environ
        return cls(
            url=config.get(URL_KEY) or env.get(URL_ENV) or None,
            api_token=config.get(API_TOKEN_KEY) or env.get(API_TOKEN_ENV) or None,
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
        return found

    def client(self) -> DashboardClient:
        problems = self.problems()
        if problems or not self.url or not self.api_token:
            raise DashboardConfigError(
                "; ".join(f"{key}: {reason}" for key, reason in problems.items())
            )
        return DashboardClient(self.url, self.api_token)
