"""`fleet add`: a new customer is a new stack with its own `Pulumi.<customer>.yaml`.

Values come from flags or from the customer's entry in a small YAML file; the Dashboard admin
token comes from an environment variable and reaches `pulumi config set --secret` on stdin, so it
is never on a command line and the stack file holds only its ciphertext. Nothing prompts.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from scim_setup.cli.fleet.stacks import FleetError, last_line

URL_KEY = "dashboard:url"
TOKEN_KEY = "dashboard:apiToken"


@dataclass
class CustomerEntry:
    """One customer as `fleet add` takes it: where its Dashboard is and its other config."""

    dashboard_url: str | None = None
    api_token_env: str | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_file(cls, path: Path, customer: str) -> CustomerEntry:
        """The `customer:` entry of a YAML file (see docs/fleet.md for its shape)."""
        try:
            document = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as error:
            raise FleetError(f"cannot read {path}: {error}") from None
        entry = document.get(customer) if isinstance(document, dict) else None
        if not isinstance(entry, dict):
            raise FleetError(f"{path} has no entry `{customer}:`; add one (see docs/fleet.md)")
        unknown = set(entry) - {"dashboardUrl", "apiTokenEnv", "config"}
        if unknown:
            raise FleetError(
                f"{path}: {customer}.{sorted(unknown)[0]} is not a known field; "
                "use dashboardUrl, apiTokenEnv and config"
            )
        return cls(entry.get("dashboardUrl"), entry.get("apiTokenEnv"), entry.get("config") or {})

    def token(self) -> str:
        if not self.api_token_env:
            raise FleetError(
                "no admin API token: pass --api-token-env VAR naming the environment variable "
                "that holds the customer's Dashboard admin token"
            )
        token = os.environ.get(self.api_token_env, "")
        if not token:
            raise FleetError(
                f"{self.api_token_env} is not set or empty; export the customer's Dashboard admin "
                "API token in it"
            )
        return token

    def plain_config(self) -> dict[str, Any]:
        if TOKEN_KEY in self.config:
            raise FleetError(f"{TOKEN_KEY} must not be given as a value; use --api-token-env")
        if not self.dashboard_url:
            raise FleetError("no Dashboard URL: pass --dashboard-url https://<the dashboard>")
        return {**self.config, URL_KEY: self.dashboard_url}


def parse_config_flags(values: list[str]) -> dict[str, Any]:
    """`-c scim:accountSizeGb=100 -c scim:keepers.rotation=2026-11` → nested config values."""
    parsed: dict[str, Any] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or ":" not in key:
            raise FleetError(f"--config {value!r}: use NAMESPACE:KEY=VALUE, e.g. scim:enabled=true")
        *parents, leaf = key.strip().split(".")
        node = parsed
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise FleetError(f"--config {value!r}: {part} is given both as a value and a map")
        node[leaf] = text
    return parsed


def validate(config: Mapping[str, Any]) -> None:
    """The stack program's own schema, so a bad value fails here, before a stack exists."""
    from components.stack_config import StackConfigError, parse_stack_config

    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    try:
        parse_stack_config(raw, secret_keys={TOKEN_KEY}, environ={})
    except StackConfigError as error:
        raise FleetError("; ".join(error.problems)) from None


def config_json(config: Mapping[str, Any]) -> str:
    """`pulumi config set-all --json` input: objects and lists keep their shape and value types."""
    document: dict[str, dict[str, Any]] = {}
    for key, value in config.items():
        if isinstance(value, Mapping | list):
            document[key] = {"value": json.dumps(value), "objectValue": value, "secret": False}
        else:
            text = json.dumps(value) if isinstance(value, bool) else str(value)
            document[key] = {"value": text, "secret": False}
    return json.dumps(document)


def add_customer(workspace: auto.LocalWorkspace, customer: str, entry: CustomerEntry) -> Path:
    """Create the customer's stack and write its config; returns the stack file.

    Everything is checked before the stack is created; if writing its config fails, the stack
    is removed again, so a failed `add` leaves nothing behind.
    """
    config = entry.plain_config()
    token = entry.token()
    validate({**config, TOKEN_KEY: token})
    try:
        workspace.create_stack(customer)
    except auto.StackAlreadyExistsError:
        raise FleetError(
            f"customer {customer!r} already has a stack; change its config with "
            f"`pulumi config set --stack {customer} …`"
        ) from None
    except auto.CommandError as error:
        reason = last_line(str(error))
        raise FleetError(f"`pulumi stack init {customer}` failed: {reason}") from None
    try:
        _write_config(workspace, customer, config, token)
    except FleetError:
        workspace.remove_stack(customer, force=True)
        raise
    return Path(workspace.work_dir) / f"Pulumi.{customer}.yaml"


def _write_config(
    workspace: auto.LocalWorkspace, customer: str, config: Mapping[str, Any], token: str
) -> None:
    try:
        workspace.set_all_config_json(customer, config_json(config))
    except auto.CommandError as error:
        raise FleetError(f"`pulumi config set-all` failed: {last_line(str(error))}") from None
    _set_secret(workspace, customer, TOKEN_KEY, token)


def _set_secret(workspace: auto.LocalWorkspace, customer: str, key: str, value: str) -> None:
    """`pulumi config set --secret` with the value on stdin (never in argv or an error)."""
    command = workspace.pulumi_command.command
    args = [command, "config", "set", key, "--secret", "--stack", customer, "--non-interactive"]
    result = subprocess.run(
        args,
        input=value,
        cwd=workspace.work_dir,
        env={**os.environ, **workspace.env_vars},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        reason = last_line(result.stderr.replace(value, "***"))
        raise FleetError(f"`pulumi config set --secret {key}` failed: {reason}")
