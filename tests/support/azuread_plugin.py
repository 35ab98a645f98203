"""The azuread stand-in as the engine runs it: the `pulumi-resource-azuread` launcher as a child
process, spoken to over gRPC with the SDK's provider stubs, one call per engine RPC."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, Self

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from scim_setup.emulator.azuread import PLUGIN_DIR
from scim_setup.emulator.azuread.wire import from_struct, to_struct

TIME_SCALE = "0.01"
"""Upstream's waits at 1/100: a 5 s poll takes 50 ms, a 5 min timeout 3 s."""


class PluginError(RuntimeError):
    """The stand-in answered an RPC with an error; the message is what the engine would print."""


class StandInPlugin:
    """One stand-in process, configured with the environment given (the fake Graph's)."""

    def __init__(self, environment: dict[str, str], log_path: Path) -> None:
        env = {**os.environ, **environment, "SCIM_SETUP_AZUREAD_TIME_SCALE": TIME_SCALE}
        self.log_path = log_path
        self._log = log_path.open("w")
        self._process = subprocess.Popen(
            [str(PLUGIN_DIR / "pulumi-resource-azuread"), "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            text=True,
        )
        assert self._process.stdout is not None
        port = int(self._process.stdout.readline().strip())
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()
        self._process.terminate()
        self._process.wait(timeout=10)
        self._log.close()

    def stderr(self) -> str:
        return self.log_path.read_text()

    def call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=60)
        except grpc.RpcError as error:
            raise PluginError(error.details()) from None  # type: ignore[attr-defined]

    def version(self) -> str:
        return self.call("GetPluginInfo", empty_pb2.Empty()).version

    def configure(self, config: dict[str, Any] | None = None) -> Any:
        request = provider_pb2.ConfigureRequest(args=to_struct(config or {}), acceptSecrets=True)
        return self.call("Configure", request)

    def check(self, token: str, news: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        reply = self.call("Check", provider_pb2.CheckRequest(type=token, news=to_struct(news)))
        return from_struct(reply.inputs), list(reply.failures)

    def diff(self, token: str, state: dict[str, Any], news: dict[str, Any]) -> Any:
        request = provider_pb2.DiffRequest(
            type=token, id="x", olds=to_struct(state), news=to_struct(news)
        )
        return self.call("Diff", request)

    def create(
        self, token: str, inputs: dict[str, Any], timeout: float = 0
    ) -> tuple[str, dict[str, Any]]:
        checked, failures = self.check(token, inputs)
        assert not failures, failures
        request = provider_pb2.CreateRequest(
            type=token, properties=to_struct(checked), timeout=timeout
        )
        reply = self.call("Create", request)
        return reply.id, from_struct(reply.properties)

    def read(
        self, token: str, resource_id: str, state: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        request = provider_pb2.ReadRequest(
            type=token, id=resource_id, properties=to_struct(state or {})
        )
        reply = self.call("Read", request)
        return reply.id, from_struct(reply.properties), from_struct(reply.inputs)

    def update(
        self, token: str, resource_id: str, state: dict[str, Any], news: dict[str, Any]
    ) -> dict[str, Any]:
        checked, _ = self.check(token, news)
        request = provider_pb2.UpdateRequest(
            type=token, id=resource_id, olds=to_struct(state), news=to_struct(checked)
        )
        return from_struct(self.call("Update", request).properties)

    def delete(self, token: str, resource_id: str, state: dict[str, Any]) -> None:
        request = provider_pb2.DeleteRequest(
            type=token, id=resource_id, properties=to_struct(state)
        )
        self.call("Delete", request)

    def invoke(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        reply = self.call("Invoke", provider_pb2.InvokeRequest(tok=token, args=to_struct(args)))
        return from_struct(getattr(reply, "return"))
