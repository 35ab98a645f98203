"""Drive `python -m pulumi.dynamic` over gRPC the way the engine does.

The provider process is started from the project root, so it unpickles `__provider` and imports
`providers.*` exactly as under `pulumi up`. Secrets arrive unwrapped, as the engine strips them.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    return asyncio.run(rpc.serialize_properties(props, {}))


def _dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct))


class DynamicProviderServer:
    """One provider process; call `close()` (or use `with`) to stop it."""

    def __init__(self, project: str = "scim-setup") -> None:
        env = {**os.environ, "PULUMI_PROJECT": project}
        env.pop("DASHBOARD_URL", None)
        env.pop("DASHBOARD_API_TOKEN", None)
        self._process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self._process.stdout is not None
        port = int(self._process.stdout.readline().decode().strip())
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def __enter__(self) -> DynamicProviderServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()
        self._process.terminate()
        self._process.communicate(timeout=10)

    def configure(self, config: dict[str, str]) -> None:
        self.stub.Configure(provider_pb2.ConfigureRequest(args=_struct(config)))

    def check(self, urn: str, news: dict[str, Any]) -> provider_pb2.CheckResponse:
        return self.stub.Check(
            provider_pb2.CheckRequest(urn=urn, olds=_struct({}), news=_struct(news))
        )

    def create(self, urn: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self.stub.Create(provider_pb2.CreateRequest(urn=urn, properties=_struct(props)))
        return response.id, _dict(response.properties)

    def diff(self, id_: str, urn: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        request = provider_pb2.DiffRequest(id=id_, urn=urn, olds=_struct(olds), news=_struct(news))
        return self.stub.Diff(request)

    def read(self, id_: str, urn: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        request = provider_pb2.ReadRequest(id=id_, urn=urn, properties=_struct(props))
        response = self.stub.Read(request)
        return response.id, _dict(response.properties)

    def delete(self, id_: str, urn: str, props: dict[str, Any]) -> None:
        self.stub.Delete(provider_pb2.DeleteRequest(id=id_, urn=urn, properties=_struct(props)))

    def checked_inputs(self, response: provider_pb2.CheckResponse) -> dict[str, Any]:
        return _dict(response.inputs)
