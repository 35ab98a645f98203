"""The stack program (`__main__.py`) run under mocks: Azure as in the Entra tests, plus the
Dashboard resources' outputs, and the stack outputs the program exports."""

from __future__ import annotations

import json
import runpy
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockResourceArgs
from pulumi.runtime.settings import get_root_resource
from pulumi.runtime.stack import Stack

from tests.support.azure_mocks import AzureMocks

if TYPE_CHECKING:
    from tests.components.conftest import PulumiEngine

PROGRAM = Path(__file__).resolve().parents[2] / "__main__.py"
SETTINGS = "pulumi-python:dynamic/dashboard:ScimSettings"
TOKEN = "pulumi-python:dynamic/dashboard:ScimToken"
PROBE = "pulumi-python:dynamic/dashboard:ScimConnectionTest"
CHECKED_AT = "2026-11-29T03:00:00Z"
PROBE_PASSED = {"result": "passed", "message": "200 with an empty ListResponse"}
TENANT_URL = "https://dashboard.example.com/scim/v2/tenant-1"
BASE_CONFIG = {"dashboard:url": "https://dashboard.example.com", "dashboard:apiToken": "adm-9"}


@dataclass
class StackMocks(AzureMocks):
    """Azure as in the Entra tests, plus the Dashboard resources' outputs and the stack outputs."""

    exports: dict[str, Any] = field(default_factory=dict)

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.typ == SETTINGS:
            return TENANT_URL, {**args.inputs, "tenant_url": TENANT_URL}
        if args.typ == TOKEN:
            token = {"token": "scim-secret", "token_id": "tok_1", "created_at": CHECKED_AT}
            return "tok_1", {**args.inputs, **token}
        if args.typ == PROBE:
            probe = {**PROBE_PASSED, "checked_at": CHECKED_AT, "token_last_used_at": CHECKED_AT}
            return "tok_1", {**args.inputs, **probe}
        if args.typ == "pulumi:pulumi:Stack":
            return "stack", {}
        return super().new_resource(args)


def run_program(
    engine: PulumiEngine,
    config: dict[str, str],
    path: Path = PROGRAM,
    run_name: str = "<run_path>",
    secret_keys: Sequence[str] = ("dashboard:apiToken",),
) -> dict[str, Any]:
    """Run the program at `path` with `config` as stack config; return its stack outputs.
    (The language host runs it as `__main__`; here it is not, unless `run_name` says so.)"""
    mocks = StackMocks()
    engine.use(mocks)
    exported: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        stack = get_root_resource()
        assert isinstance(stack, Stack)
        stack.outputs.clear()
        runpy.run_path(str(path), run_name=run_name)
        secrets = pulumi.Output.from_input(_secret_names(stack.outputs))
        return pulumi.Output.all(pulumi.Output.all(**stack.outputs), secrets).apply(
            lambda both: exported.update(
                {name: Secret(v) if name in both[1] else v for name, v in both[0].items()}
            )
        )

    with pytest.MonkeyPatch.context() as env:  # as the language host hands config over
        env.setenv("PULUMI_CONFIG", json.dumps(config))
        env.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps(list(secret_keys)))
        engine.run(program)
    return exported


@dataclass(frozen=True)
class Secret:
    """A stack output the engine would store encrypted."""

    value: Any


async def _secret_names(outputs: dict[str, Any]) -> list[str]:
    return [name for name, v in outputs.items() if await pulumi.Output.from_input(v).is_secret()]
