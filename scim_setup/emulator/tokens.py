"""Bearer secrets: how they are made, stored and checked.

Only SHA-256 hashes are ever stored; a presented token is hashed and compared
in constant time, so neither the database nor a timing side channel reveals a
secret.
"""

import hashlib
import hmac
import secrets


def new_secret() -> str:
    """Return a fresh, URL-safe secret with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def new_id(prefix: str) -> str:
    """Return a short public identifier such as `tok_3f9a…`; it is not a secret."""
    return f"{prefix}_{secrets.token_hex(8)}"


def token_hash(token: str) -> str:
    """Return the hex SHA-256 hash under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, expected_hash: str | None) -> bool:
    """Whether `token` hashes to `expected_hash`, compared in constant time."""
    if expected_hash is None:
        return False
    return hmac.compare_digest(token_hash(token), expected_hash)


def bearer_token(authorization: str | None) -> str | None:
    """Return the token of an `Authorization: Bearer <token>` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token
