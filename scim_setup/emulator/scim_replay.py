"""What every identity-provider replay shares: one session to one tenant URL.

Real identity providers cannot reach a local endpoint, so tests, the demo and
the benchmark replay their documented request shapes instead
(`scim_setup.emulator.entra_replay`; `tests/support/okta_replay.py`, `onelogin_replay.py`,
`google_replay.py`).
Each method of a replay returns the `requests.Response`, as the provider
judges the status.
"""

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class ScimReplay:
    """An HTTP session that sends SCIM requests to one tenant URL with one SCIM token."""

    user_agent: str | None = None
    """The User-Agent the provider is documented to send, if any."""

    def __init__(self, tenant_url: str, token: str, *, timeout: float = 10.0) -> None:
        parts = urlsplit(tenant_url)
        self.base_url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self.query = parts.query
        self.timeout = timeout
        self.session = requests.Session()
        # Identity providers call from their own networks, not through this
        # machine's proxy settings; skipping the per-request environment and
        # .netrc lookups also halves the client's CPU cost in the benchmark.
        self.session.trust_env = False
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
        )
        if self.user_agent:
            self.session.headers["User-Agent"] = self.user_agent

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def _patch(self, path: str, operations: list[dict[str, Any]]) -> requests.Response:
        return self._send("PATCH", path, json={"schemas": [PATCH_OP_URN], "Operations": operations})

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request; the tenant URL's own query string (Entra's flag) is kept."""
        url = f"{self.base_url}{path}"
        if self.query:
            url = f"{url}?{self.query}"
        return self.session.request(method, url, timeout=self.timeout, **kwargs)
