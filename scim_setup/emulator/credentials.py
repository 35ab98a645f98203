"""The admin API tokens of one data directory.

A user who starts the emulator without `--admin-token` should get the same
tokens after a restart, so generated tokens are kept in `admin-tokens.json`
inside the data directory, readable by the owner only (mode 0600). Tokens
given on the command line are used as they are and never written to disk.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from scim_setup.emulator.tokens import new_secret

CREDENTIALS_FILE = "admin-tokens.json"


@dataclass(frozen=True)
class AdminCredentials:
    """The admin token (administrator role) and the viewer token (no admin role)."""

    admin_token: str
    viewer_token: str


def load_or_create(
    data_dir: Path, admin_token: str | None = None, viewer_token: str | None = None
) -> AdminCredentials:
    """Return the tokens to serve with, generating and saving any not given or saved."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / CREDENTIALS_FILE
    saved = _read(path)
    generated = dict(saved)
    for role, given in (("admin_token", admin_token), ("viewer_token", viewer_token)):
        if given is None and role not in generated:
            generated[role] = new_secret()
    if generated != saved:
        _write(path, generated)
    return AdminCredentials(
        admin_token=admin_token or generated["admin_token"],
        viewer_token=viewer_token or generated["viewer_token"],
    )


def _read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    loaded = json.loads(path.read_text())
    return {key: value for key, value in loaded.items() if isinstance(value, str)}


def _write(path: Path, tokens: dict[str, str]) -> None:
    """Write atomically, created with mode 0600 so the secret is never world-readable."""
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(tokens, file)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
