"""The Graph identity: the same credentials the azuread provider uses, read the same way.

`azuread:*` stack config first, then the `ARM_*` environment, as pulumi-azuread does. They arrive
through the dynamic provider's `configure()`, never through state. azure-identity is imported only
when a credential is built, so the Dashboard-only path never loads it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from providers.configured_provider import ConfigSource
from providers.graph.client import GraphClient, GraphError
from providers.http_transport import REAL_CLOCK, Clock

GRAPH_URL_ENV = "SCIM_SETUP_GRAPH_URL"
"""Overrides the Graph endpoint (a sovereign cloud's, or the local fake Graph in tests)."""

AUTHORITY_ENV = "AZURE_AUTHORITY_HOST"
"""azure-identity's own variable for the sign-in host; read here so both always agree."""

GRAPH_SCOPE = "/.default"

_CLOUDS = {
    "public": ("https://graph.microsoft.com", "login.microsoftonline.com"),
    "global": ("https://graph.microsoft.com", "login.microsoftonline.com"),
    "usgovernment": ("https://graph.microsoft.us", "login.microsoftonline.us"),
    "usgovernmentl4": ("https://graph.microsoft.us", "login.microsoftonline.us"),
    "dod": ("https://dod-graph.microsoft.us", "login.microsoftonline.us"),
    "usgovernmentl5": ("https://dod-graph.microsoft.us", "login.microsoftonline.us"),
    "china": ("https://microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn"),
}

_AUTHORITY_HOSTS = {host for _, host in _CLOUDS.values()}


def _host(authority: str) -> str:
    return urlsplit(authority if "://" in authority else f"https://{authority}").netloc


# (azuread config key, ARM_* environment variable)
_SETTINGS = {
    "tenant_id": ("tenantId", "ARM_TENANT_ID"),
    "client_id": ("clientId", "ARM_CLIENT_ID"),
    "client_secret": ("clientSecret", "ARM_CLIENT_SECRET"),
    "certificate_path": ("clientCertificatePath", "ARM_CLIENT_CERTIFICATE_PATH"),
    "certificate_password": ("clientCertificatePassword", "ARM_CLIENT_CERTIFICATE_PASSWORD"),
    "oidc_token": ("oidcToken", "ARM_OIDC_TOKEN"),
    "use_msi": ("useMsi", "ARM_USE_MSI"),
    "environment": ("environment", "ARM_ENVIRONMENT"),
}


@dataclass(frozen=True)
class GraphCredentials:
    """Who calls Graph, and where. Secrets are never printed."""

    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    certificate_path: str | None = None
    certificate_password: str | None = field(default=None, repr=False)
    oidc_token: str | None = field(default=None, repr=False)
    use_msi: bool = False
    environment: str = "public"
    graph_url_override: str | None = None
    authority_override: str | None = None

    @classmethod
    def from_config(
        cls, config: ConfigSource, environ: Mapping[str, str] | None = None
    ) -> GraphCredentials:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, (key, variable) in _SETTINGS.items():
            value = config.get(f"azuread:{key}") or env.get(variable) or None
            if value is not None:
                values[name] = value
        values["use_msi"] = str(values.get("use_msi", "")).lower() == "true"
        values["environment"] = str(values.get("environment") or "public").lower()
        values["graph_url_override"] = env.get(GRAPH_URL_ENV) or None
        values["authority_override"] = env.get(AUTHORITY_ENV) or None
        return cls(**values)

    def problems(self) -> dict[str, str]:
        """Config key → what is wrong with it and how to fix it."""
        if self.environment not in _CLOUDS:
            return {
                "azuread:environment": f"{self.environment!r} is not a cloud this package knows; "
                f"use one of {', '.join(sorted(_CLOUDS))}"
            }
        if (self.client_secret or self.certificate_path or self.oidc_token) and not (
            self.tenant_id and self.client_id
        ):
            return {
                "azuread:tenantId": "azuread:tenantId and azuread:clientId (or ARM_TENANT_ID and "
                "ARM_CLIENT_ID) are required with a client secret, certificate or OIDC token"
            }
        return {}

    @property
    def graph_url(self) -> str:
        return self.graph_url_override or _CLOUDS.get(self.environment, _CLOUDS["public"])[0]

    def client(self, clock: Clock = REAL_CLOCK) -> GraphClient:
        """A client with this identity; `clock` is the transport's time (tests pass their own)."""
        if problems := self.problems():
            raise GraphError("; ".join(f"{key}: {reason}" for key, reason in problems.items()))
        credential = self._credential()
        scope = self.graph_url.rstrip("/") + GRAPH_SCOPE

        def access_token() -> str:
            try:
                return credential.get_token(scope).token
            except Exception as exc:  # azure-identity raises several unrelated types
                reason = " ".join(str(exc).split())[:300]
                raise GraphError(
                    f"could not get a Microsoft Graph token with {type(credential).__name__} "
                    f"({reason}); check the azuread:* credentials (or ARM_*)"
                ) from None

        return GraphClient(self.graph_url, access_token, clock=clock, environment=self.environment)

    def _credential(self) -> Any:
        """The azure-identity credential the azuread provider would use for these settings."""
        from azure import identity

        authority = self.authority_override or _CLOUDS[self.environment][1]
        # A sign-in host that is no Microsoft cloud's (a private cloud, the fake Graph) cannot be
        # checked against Microsoft's instance-discovery list.
        options: dict[str, Any] = {
            "authority": authority,
            "disable_instance_discovery": _host(authority) not in _AUTHORITY_HOSTS,
        }
        if self.client_secret and self.tenant_id and self.client_id:
            return identity.ClientSecretCredential(
                self.tenant_id, self.client_id, self.client_secret, **options
            )
        if self.certificate_path and self.tenant_id and self.client_id:
            return identity.CertificateCredential(
                self.tenant_id,
                self.client_id,
                self.certificate_path,
                password=self.certificate_password,
                **options,
            )
        if self.oidc_token and self.tenant_id and self.client_id:
            token = self.oidc_token
            return identity.ClientAssertionCredential(
                self.tenant_id, self.client_id, lambda: token, **options
            )
        if self.use_msi:
            return identity.ManagedIdentityCredential(client_id=self.client_id)
        return identity.AzureCliCredential(tenant_id=self.tenant_id or "")
