"""A mock Pulumi engine that records exactly what each resource registration sends.

`MockResourceArgs` carries only the inputs; the raw `RegisterResourceRequest` also carries the
dependencies, the parent, `additionalSecretOutputs`, `ignoreChanges` and `retainOnDelete`, so the
monitor keeps every request.
The Pulumi runtime is process-global: every test that asks for `pulumi_engine` gets fresh mocks.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import SETTINGS

SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
"""How Pulumi's property format marks a secret: `{SIGNATURE_KEY: SECRET_SIGNATURE, "value": ...}`
(the same constants in every SDK and in the engine's state files)."""


@dataclass
class Registration:
    """One resource registration as the engine receives it."""

    type: str
    name: str
    urn: str
    parent: str
    inputs: dict[str, Any]
    dependencies: set[str]
    additional_secret_outputs: list[str]
    ignore_changes: list[str]
    retain_on_delete: bool
    alias_names: list[str]

    def is_secret(self, key: str) -> bool:
        value = self.inputs[key]
        return isinstance(value, Mapping) and value.get(SIGNATURE_KEY) == SECRET_SIGNATURE

    def plain(self, key: str) -> Any:
        """The input's value with the secret wrapper, if any, taken off."""
        return self.inputs[key]["value"] if self.is_secret(key) else self.inputs[key]


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    inputs=rpc.deserialize_properties(request.object),
                    dependencies=set(request.dependencies),
                    additional_secret_outputs=list(request.additionalSecretOutputs),
                    ignore_changes=list(request.ignoreChanges),
                    retain_on_delete=request.retainOnDelete,
                    alias_names=[a.spec.name for a in request.aliases if a.HasField("spec")],
                )
            )
        return response


class PulumiEngine:
    """Installs mocks behind a recording monitor and runs programs against them."""

    def __init__(self) -> None:
        self.registrations: list[Registration] = []

    def use(self, mocks: pulumi.runtime.Mocks) -> None:
        monitor = RecordingMonitor(mocks)
        self.registrations = monitor.registrations
        pulumi.runtime.set_mocks(
            mocks, project="scim-setup", stack="test", preview=False, monitor=monitor
        )

    def run(self, program: Callable[[], Any]) -> None:
        """Run `program` as a Pulumi program; return once all its registrations are done."""
        pulumi.runtime.test(program)()

    def of_type(self, token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == token]

    def one(self, token: str) -> Registration:
        (found,) = self.of_type(token)
        return found


@pytest.fixture
def pulumi_engine() -> Iterator[PulumiEngine]:
    # The runtime creates futures on the current event loop. An earlier test in this process
    # (any order, under xdist) may have run `asyncio.run()`, which leaves none: give each its own.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield PulumiEngine()
    # A failed deployment leaves futures nobody awaited; drop the runtime's references and
    # collect them now, so asyncio reports them in this test's captured log, not at exit.
    settings: Any = SETTINGS  # its context properties are opaque to type checkers
    settings.rpc_manager.clear()
    settings.outputs.clear()
    gc.collect()
    asyncio.set_event_loop(None)
    loop.close()
