"""The fake Graph's sign-in: the documents MSAL reads first and the client-credentials grant.

Shapes as the Microsoft identity platform documents them (v2-protocols-oidc: the OpenID
configuration; v2-oauth2-client-creds-grant-flow: the token request and its `invalid_client`
error; MSAL's instance discovery). A token issued here is what `fake_graph_state.refused` checks.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from scim_setup.emulator.fake_graph_state import FakeGraphState


def add_signin_routes(app: FastAPI, state: FakeGraphState, url: str) -> None:
    @app.get("/{tenant}/v2.0/.well-known/openid-configuration")
    async def openid_configuration(tenant: str) -> JSONResponse:
        return JSONResponse(
            {
                "token_endpoint": f"{url}/{tenant}/oauth2/v2.0/token",
                "authorization_endpoint": f"{url}/{tenant}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{url}/{tenant}/oauth2/v2.0/devicecode",
                "issuer": f"{url}/{tenant}/v2.0",
                "end_session_endpoint": f"{url}/{tenant}/oauth2/v2.0/logout",
            }
        )

    @app.get("/common/discovery/instance")
    async def instance_discovery() -> JSONResponse:
        host = url.removeprefix("https://")
        return JSONResponse(
            {
                "tenant_discovery_endpoint": f"{url}/common/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [
                    {"preferred_network": host, "preferred_cache": host, "aliases": [host]}
                ],
            }
        )

    @app.post("/{tenant}/oauth2/v2.0/token")
    async def token(tenant: str, request: Request) -> JSONResponse:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if (
            tenant != state.tenant_id
            or form.get("client_id") != state.client_id
            or form.get("client_secret") != state.client_secret
        ):
            return JSONResponse(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                401,
            )
        access_token = secrets.token_urlsafe(32)
        with state.lock:
            state.issued_tokens.add(access_token)
        return JSONResponse(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": access_token,
            }
        )
