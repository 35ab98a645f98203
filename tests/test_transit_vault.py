"""The tests' key service wraps and unwraps for real, and only for its client."""

from __future__ import annotations

import base64

import requests

from tests.transit_vault import KEY_NAME, TransitVault


def put(vault: TransitVault, operation: str, body: dict[str, str], token: str) -> requests.Response:
    url = f"{vault.url}/v1/transit/{operation}/{KEY_NAME}"
    return requests.put(url, json=body, headers={"X-Vault-Token": token}, timeout=5)


def test_a_wrapped_key_is_ciphertext_that_only_this_vault_unwraps():
    data_key = b"0123456789abcdef0123456789abcdef"
    plaintext = base64.b64encode(data_key).decode()
    with TransitVault() as vault, TransitVault() as other:
        first = put(vault, "encrypt", {"plaintext": plaintext}, vault.token).json()["data"]
        again = put(vault, "encrypt", {"plaintext": plaintext}, vault.token).json()["data"]
        ciphertext = first["ciphertext"]
        unwrapped = put(vault, "decrypt", {"ciphertext": ciphertext}, vault.token)
        elsewhere = put(other, "decrypt", {"ciphertext": ciphertext}, other.token)
        refused = put(vault, "decrypt", {"ciphertext": ciphertext}, other.token)

    assert ciphertext.startswith("vault:v1:") and ciphertext != again["ciphertext"]
    assert data_key not in base64.b64decode(ciphertext.removeprefix("vault:v1:"))
    assert base64.b64decode(unwrapped.json()["data"]["plaintext"]) == data_key
    assert elsewhere.status_code == 400
    assert refused.status_code == 403
