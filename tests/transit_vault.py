"""A stand-in for HashiCorp Vault's transit engine, the key service behind `hashivault://`.

Why the tests use it: the passphrase secrets provider derives its key with PBKDF2 (1,000,000
rounds of SHA-256) in every `pulumi` process that touches a secret, ~0.19 s of CPU each, some
200 times per suite run. With a cloud secrets provider, Pulumi encrypts secrets exactly as
before (AES-256-GCM under a random data key) and only asks the key service to unwrap that data
key, once per process. This server does that unwrapping for real (AES-256-GCM under a key that
never leaves it), so state and stack files hold ciphertext as they would with Vault.
`tests/engine/test_passphrase.py` keeps one setup on the passphrase provider operators use.

Served in a thread of the test process: `pulumi` children reach it over loopback HTTP.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_NAME = "scim-setup-tests"
SECRETS_PROVIDER = f"hashivault://{KEY_NAME}"
"""What test stacks pass to `pulumi stack init --secrets-provider`."""

_PREFIX = "vault:v1:"
_NONCE_BYTES = 12


class TransitVault:
    """`PUT /v1/transit/{encrypt,decrypt}/<key>` as the Vault API client sends them (gocloud's
    hashivault keeper), with the client token checked; nothing else."""

    def __init__(self) -> None:
        self.token = secrets.token_urlsafe(24)
        self._cipher = AESGCM(AESGCM.generate_key(bit_length=256))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def environment(self) -> dict[str, str]:
        """The variables gocloud's hashivault keeper reads."""
        return {"VAULT_SERVER_URL": self.url, "VAULT_SERVER_TOKEN": self.token}

    def __enter__(self) -> TransitVault:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def encrypt(self, plaintext: bytes) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, plaintext, None)
        return _PREFIX + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, ciphertext: str) -> bytes:
        raw = base64.b64decode(ciphertext.removeprefix(_PREFIX))
        return self._cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)

    def _answer(self, path: str, token: str | None, body: dict[str, Any]) -> tuple[int, Any]:
        if token != self.token:
            return 403, {"errors": ["permission denied"]}
        try:
            if path == f"/v1/transit/encrypt/{KEY_NAME}":
                plaintext = base64.b64decode(body["plaintext"])
                return 200, {"data": {"ciphertext": self.encrypt(plaintext)}}
            if path == f"/v1/transit/decrypt/{KEY_NAME}":
                plaintext = self.decrypt(body["ciphertext"])
                return 200, {"data": {"plaintext": base64.b64encode(plaintext).decode()}}
        except Exception:  # undecodable or forged input: a 400, as Vault answers
            return 400, {"errors": ["invalid ciphertext or plaintext"]}
        return 404, {"errors": [f"no handler for {path}"]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        vault = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    body = {}
                token = self.headers.get("X-Vault-Token")
                status, answer = vault._answer(self.path, token, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PUT

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: pytest output stays readable."""

        return Handler
