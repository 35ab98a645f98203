"""The policy pack's policies, called through pulumi-policy's public API with what the engine sends.

Registrations recorded by the mock engine carry a resource's inputs exactly as the program
serialized them for the engine (secrets wrapped, numbers as floats); `deserialize_properties` and
`unknown_checking_proxy` turn them into the props a policy sees, as pulumi-policy does for the
engine's requests. A value not known yet raises `UnknownValueError`, which pulumi-policy reports
as "can't run policy during preview". The whole path through the engine is in
test_policy_engine.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

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


OPTIONS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


class PolicyPack:
    def __init__(self, config: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._policies = policies()
        self._config = {
            policy.name: {
                **{
                    key: schema["default"]
                    for key, schema in (
                        policy.config_schema.properties if policy.config_schema else {}
                    ).items()
                    if "default" in schema
                },
                **(config or {}).get(policy.name, {}),
            }
            for policy in self._policies
        }

    def analyze(self, resource: Resource) -> list[Verdict]:
        verdicts: list[Verdict] = []
        for policy in self._policies:
            if isinstance(policy, ResourceValidationPolicy):
                args = ResourceValidationArgs(
                    resource.type,
                    _props(resource),
                    resource.urn,
                    resource.name,
                    OPTIONS,
                    None,
                    self._config[policy.name],
                )
                policy.validate(args, _reporter(policy, verdicts))
        return verdicts

    def analyze_stack(self, resources: Iterable[Resource]) -> list[Verdict]:
        listed = list(resources)
        by_urn = {
            r.urn: PolicyResource(r.type, _props(r), r.urn, r.name, OPTIONS, None, None, [], {})
            for r in listed
        }
        for r in listed:
            by_urn[r.urn].dependencies.extend(by_urn[u] for u in r.dependencies if u in by_urn)
        verdicts: list[Verdict] = []
        for policy in self._policies:
            if isinstance(policy, StackValidationPolicy):
                args = StackValidationArgs(list(by_urn.values()), self._config[policy.name])
                policy.validate(args, _reporter(policy, verdicts))
        return verdicts


def _props(resource: Resource) -> Any:
    return unknown_checking_proxy(deserialize_properties(dict(resource.props)))


def _reporter(policy: Any, verdicts: list[Verdict]) -> Any:
    level = "mandatory" if policy.enforcement_level == EnforcementLevel.MANDATORY else "advisory"

    def report(message: str, urn: str | None = None) -> None:
        verdicts.append(Verdict(policy.name, level, message))

    return report
