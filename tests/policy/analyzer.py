"""The policy pack behind pulumi-policy's own analyzer servicer, fed what the engine would send.

Registrations recorded by the mock engine carry a resource's inputs exactly as the program
serialized them for the engine (secrets wrapped, numbers as floats); the engine passes the same
properties on to analyzers, so they go back into the gRPC requests unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policy.scim_policies import policies


@dataclass(frozen=True)
class Resource:
    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    policy: str
    level: str
    message: str


class PolicyPack:
    def __init__(self, config: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._servicer = _PolicyAnalyzerServicer(
            "scim-setup", "0.1.0", policies(), EnforcementLevel.ADVISORY
        )
        request = proto.ConfigureAnalyzerRequest()
        for name, values in (config or {}).items():
            request.policyConfig[name].properties.update(dict(values))
        self._servicer.Configure(request, None)

    def analyze(self, resource: Resource) -> list[Verdict]:
        request = proto.AnalyzeRequest(
            type=resource.type, urn=resource.urn, name=resource.name, properties=_struct(resource)
        )
        return _verdicts(self._servicer.Analyze(request, None))

    def analyze_stack(self, resources: Iterable[Resource]) -> list[Verdict]:
        request = proto.AnalyzeStackRequest(
            resources=[
                proto.AnalyzerResource(
                    type=r.type,
                    urn=r.urn,
                    name=r.name,
                    properties=_struct(r),
                    dependencies=list(r.dependencies),
                )
                for r in resources
            ]
        )
        return _verdicts(self._servicer.AnalyzeStack(request, None))


def _struct(resource: Resource) -> struct_pb2.Struct:
    return json_format.ParseDict(dict(resource.props), struct_pb2.Struct())


_LEVELS = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory"}


def _verdicts(response: Any) -> list[Verdict]:
    return [
        Verdict(d.policyName, _LEVELS.get(d.enforcementLevel, str(d.enforcementLevel)), d.message)
        for d in response.diagnostics
    ]
