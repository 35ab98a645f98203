"""The fake Graph's provisioning secrets and Entra's Test Connection against them.

- `PUT /v1.0/servicePrincipals/{id}/synchronization/secrets` `{"value": [{key, value}]}`
  (synchronization-serviceprincipal-put-synchronization): saves the provisioning secrets (204).
  Keys merge: keys not sent keep their value (so upstream's `synchronizationSecretResourceCreate`,
  which waits until Graph lists as many keys as it sent, waits for ever when the portal saved
  more); a key sent with an empty value is removed, which is how upstream's
  `synchronizationSecretResourceDelete` deletes (it waits, in `allCredentialsRemoved`, until
  none of its keys is listed any more).
- `GET …/synchronization/secrets` (the same page; upstream's `synchronizationSecretResourceRead`):
  `{"value": [{key, value}]}`, sensitive values (`SENSITIVE_KEYS`) masked as `*`, which
  upstream's `flattenSynchronizationSecretKeyStringValuePair` replaces with the value in state.
- From the first save on, validateCredentials (`useSavedCredentials`) does what Entra's Test
  Connection does (`connection_test_passes`). A job whose service principal has no saved
  secrets keeps the `credentialsValid` flag of `PUT /_fake/jobs`.

Test-control routes:

- `PUT /_fake/secrets` `{"servicePrincipalId", "credentials": [{key, value}]}`: a person saves
  other secrets in the portal (e.g. pastes a wrong token).
"""

from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlsplit, urlunsplit

import requests
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator.fake_graph_state import FakeGraphState, graph_error, refused

SENSITIVE_KEYS = frozenset(
    {
        "SecretToken",
        "Password",
        "ClientSecret",
        "AppKey",
        "OAuth2ClientSecret",
        "PrivateKey",
        "Pkcs12Password",
    }
)
"""Keys of the synchronizationSecret enum that Graph reads back as `*` (the token, passwords,
client secrets and keys; MicrosoftDocs/azure-docs issue 55184 shows `SecretToken` as `*`)."""


def merged(saved: dict[str, str], pairs: list[dict[str, object]]) -> dict[str, str]:
    """`saved` after a PUT of `pairs`: sent keys replace, empty values remove, others stay."""
    result = dict(saved)
    for pair in pairs:
        key, value = str(pair.get("key")), pair.get("value")
        if value is None or value == "":
            result.pop(key, None)
        else:
            result[key] = str(value)
    return result


async def connection_test_passes(secrets: dict[str, str]) -> bool:
    """Entra's Test Connection (use-scim-to-provision-users-and-groups: it "queries the SCIM
    endpoint for a user that doesn't exist, using a random GUID"): the saved token must read the
    saved tenant URL's Users."""
    base, token = secrets.get("BaseAddress", ""), secrets.get("SecretToken", "")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not token:
        return False
    users = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/Users", query=""))
    query = {"filter": f'userName eq "{uuid.uuid4()}"'}

    def probe() -> int:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            return requests.get(users, params=query, headers=headers, timeout=10).status_code
        except requests.RequestException:
            return 0

    return await asyncio.to_thread(probe) == 200


def add_secret_routes(app: FastAPI, state: FakeGraphState) -> None:
    @app.put("/v1.0/servicePrincipals/{sp_id}/synchronization/secrets")
    async def put_secrets(sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        pairs = (await request.json()).get("value")
        if not isinstance(pairs, list) or not all(isinstance(p, dict) for p in pairs):
            return graph_error(400, "BadRequest", "The request body must have a 'value' list.")
        with state.lock:
            saved = state.secrets.get(sp_id.lower(), {})
            state.secrets[sp_id.lower()] = merged(saved, pairs)
        return Response(status_code=204)

    @app.get("/v1.0/servicePrincipals/{sp_id}/synchronization/secrets")
    async def get_secrets(sp_id: str, request: Request) -> Response:
        if failure := refused(state, request):
            return failure
        with state.lock:
            saved = dict(state.secrets.get(sp_id.lower(), {}))
        pairs = [
            {"key": key, "value": "*" if key in SENSITIVE_KEYS else value}
            for key, value in saved.items()
        ]
        return JSONResponse(
            {
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals"
                f"('{sp_id}')/synchronization/secrets",
                "value": pairs,
            }
        )

    @app.put("/_fake/secrets")
    async def overwrite_secrets(request: Request) -> Response:
        body = await request.json()
        pairs = {str(p["key"]): str(p["value"]) for p in body.get("credentials") or []}
        with state.lock:
            state.secrets[str(body["servicePrincipalId"]).lower()] = pairs
        return Response(status_code=204)
