"""A mock Pulumi engine that records exactly what each resource registration sends.

`MockResourceArgs` carries only the inputs; the raw `RegisterResourceRequest` also carries the
dependencies, the parent and `additionalSecretOutputs`, so the monitor keeps every request.
The Pulumi runtime is process-global: every test that asks for `pulumi_engine` gets fresh mocks.
"""

from __future__ import annotations

import asyncio
import functools
import gc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import SETTINGS


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

    def is_secret(self, key: str) -> bool:
        value = self.inputs[key]
        return isinstance(value, Mapping) and value.get(rpc._special_sig_key) == (
            rpc._special_secret_sig
        )

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


@functools.cache
def _freeze_imported_heap() -> None:
    """Move everything alive once the SDKs are imported out of the collector's sight.

    The modules of pulumi and the Azure SDKs are never garbage; without this, every
    `gc.collect()` below walks all of them again (~50 ms a test).
    """
    gc.collect()
    gc.freeze()


@pytest.fixture
def pulumi_engine() -> Iterator[PulumiEngine]:
    _freeze_imported_heap()
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
