"""The stand-in as a resource provider plugin: Pulumi's provider gRPC protocol with the stubs the
Python SDK ships (`pulumi.runtime.proto`), shaped like the SDK's own dynamic-provider host
(`pulumi/dynamic/__main__.py`): it listens on a free local port, prints the port on stdout and
serves until the engine stops it.

The engine (3.274, as `scripts/install-pulumi` builds it) calls GetPluginInfo, CheckConfig,
DiffConfig, Configure, then Check, Diff, Create, Read, Update, Delete and Invoke as a program
needs them, and Cancel at the end; Handshake, GetSchema and the rest are left unimplemented, which
the engine accepts (docs/azuread-stand-in.md). Secrets come in marked (Configure answers
`acceptSecrets`) and go out marked; no property value is ever logged.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from concurrent import futures
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TypeVar, cast

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi.runtime.proto.plugin_pb2 import PluginInfo

from providers.error_reporting import OneLineError
from scim_setup.emulator.azuread.provider import AzureadProvider
from scim_setup.emulator.azuread.resource import Diff
from scim_setup.emulator.azuread.wire import from_struct, reveal, to_struct

WORKERS = 16
"""As many calls at once as the engine runs resource operations by default (`--parallel`)."""

Handler = TypeVar("Handler", bound=Callable[..., Any])


def plugin_version() -> str:
    """The version of the installed pulumi_azuread SDK's plugin (its `pulumi-plugin.json`),
    which is the version the engine asks for; read without importing the SDK."""
    spec = find_spec("pulumi_azuread")
    if spec is None or not spec.submodule_search_locations:
        return "0.0.0"
    manifest = Path(next(iter(spec.submodule_search_locations))) / "pulumi-plugin.json"
    return str(json.loads(manifest.read_text())["version"])


def one_line_errors(method: Handler) -> Handler:
    """An expected failure reaches the engine as its one-line message; a bug with its traceback."""

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return method(self, request, context)
        except OneLineError as error:
            context.abort(grpc.StatusCode.UNKNOWN, str(error))
        except Exception:
            context.abort(grpc.StatusCode.UNKNOWN, traceback.format_exc())

    return cast(Handler, wrapper)


class ResourceProviderServicer(provider_pb2_grpc.ResourceProviderServicer):
    def __init__(self, provider: AzureadProvider | None = None) -> None:
        self.provider = provider or AzureadProvider()

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> PluginInfo:
        return PluginInfo(version=plugin_version())

    def CheckConfig(
        self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext
    ) -> provider_pb2.CheckResponse:
        """The provider's configuration is taken as given; Graph sign-in fails at first use."""
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(
        self, request: provider_pb2.DiffRequest, context: grpc.ServicerContext
    ) -> provider_pb2.DiffResponse:
        """A changed credential or setting is an update of the provider, never a replacement
        of its resources (upstream's provider schema forces no replacement)."""
        olds, news = reveal(from_struct(request.olds)), reveal(from_struct(request.news))
        changed = sorted(k for k in set(olds) | set(news) if olds.get(k) != news.get(k))
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME
            if changed
            else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed,
        )

    @one_line_errors
    def Configure(
        self, request: provider_pb2.ConfigureRequest, context: grpc.ServicerContext
    ) -> provider_pb2.ConfigureResponse:
        config = from_struct(request.args) if request.HasField("args") else {}
        if not config:
            config = {
                key.split(":config:", 1)[-1]: value for key, value in request.variables.items()
            }
        self.provider.configure(config)
        return provider_pb2.ConfigureResponse(
            acceptSecrets=True, supportsPreview=False, acceptResources=False, acceptOutputs=False
        )

    @one_line_errors
    def Check(
        self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext
    ) -> provider_pb2.CheckResponse:
        resource = self.provider.resource(request.type or _type_of(request.urn))
        inputs, failures = resource.check(from_struct(request.news))
        return provider_pb2.CheckResponse(
            inputs=to_struct(inputs),
            failures=[
                provider_pb2.CheckFailure(property=f.property, reason=f.reason) for f in failures
            ],
        )

    @one_line_errors
    def Diff(
        self, request: provider_pb2.DiffRequest, context: grpc.ServicerContext
    ) -> provider_pb2.DiffResponse:
        resource = self.provider.resource(request.type or _type_of(request.urn))
        found = resource.diff(
            from_struct(request.olds), from_struct(request.news), list(request.ignoreChanges)
        )
        return _diff_response(found)

    @one_line_errors
    def Create(
        self, request: provider_pb2.CreateRequest, context: grpc.ServicerContext
    ) -> provider_pb2.CreateResponse:
        resource = self.provider.resource(request.type or _type_of(request.urn))
        deadline = self.provider.clock.deadline(resource.create_timeout_s, request.timeout)
        resource_id, outputs = resource.create(from_struct(request.properties), deadline)
        return provider_pb2.CreateResponse(id=resource_id, properties=to_struct(outputs))

    @one_line_errors
    def Read(
        self, request: provider_pb2.ReadRequest, context: grpc.ServicerContext
    ) -> provider_pb2.ReadResponse:
        resource = self.provider.resource(request.type or _type_of(request.urn))
        old_inputs = from_struct(request.inputs) if request.HasField("inputs") else None
        found = resource.read_result(request.id, from_struct(request.properties), old_inputs)
        if found is None:
            return provider_pb2.ReadResponse(id="")
        return provider_pb2.ReadResponse(
            id=found.id, properties=to_struct(found.outputs), inputs=to_struct(found.inputs)
        )

    @one_line_errors
    def Update(
        self, request: provider_pb2.UpdateRequest, context: grpc.ServicerContext
    ) -> provider_pb2.UpdateResponse:
        resource = self.provider.resource(request.type or _type_of(request.urn))
        deadline = self.provider.clock.deadline(resource.update_timeout_s, request.timeout)
        outputs = resource.update(
            request.id, from_struct(request.olds), from_struct(request.news), deadline
        )
        return provider_pb2.UpdateResponse(properties=to_struct(outputs))

    @one_line_errors
    def Delete(
        self, request: provider_pb2.DeleteRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        resource = self.provider.resource(request.type or _type_of(request.urn))
        deadline = self.provider.clock.deadline(resource.delete_timeout_s, request.timeout)
        resource.delete(request.id, from_struct(request.properties), deadline)
        return empty_pb2.Empty()

    @one_line_errors
    def Invoke(
        self, request: provider_pb2.InvokeRequest, context: grpc.ServicerContext
    ) -> provider_pb2.InvokeResponse:
        result = self.provider.invoke(request.tok, from_struct(request.args))
        reply = provider_pb2.InvokeResponse()
        getattr(reply, "return").CopyFrom(to_struct(result))  # `return` is a Python keyword
        return reply

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()


def _type_of(urn: str) -> str:
    """The type token of `urn:pulumi:stack::project::[parent$]type::name`."""
    return urn.split("::")[2].split("$")[-1] if urn.count("::") >= 3 else urn


def _diff_response(found: Diff) -> provider_pb2.DiffResponse:
    kinds = provider_pb2.PropertyDiff
    detailed = {}
    for name in found.changed:
        replace = name in found.replaces
        if name in found.added:
            kind = kinds.ADD_REPLACE if replace else kinds.ADD
        elif name in found.deleted:
            kind = kinds.DELETE_REPLACE if replace else kinds.DELETE
        else:
            kind = kinds.UPDATE_REPLACE if replace else kinds.UPDATE
        detailed[name] = provider_pb2.PropertyDiff(kind=kind, inputDiff=True)
    return provider_pb2.DiffResponse(
        changes=provider_pb2.DiffResponse.DIFF_SOME
        if found.changed
        else provider_pb2.DiffResponse.DIFF_NONE,
        replaces=found.replaces,
        diffs=found.changed,
        detailedDiff=detailed,
        hasDetailedDiff=True,
        deleteBeforeReplace=False,
    )


def serve() -> None:
    """Listen on a free local port, print it (what the engine reads), serve until stopped."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(ResourceProviderServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(0)
