"""`EntraConnectionTest`: the portal's *Test Connection*, after the synchronization secret is saved.

Graph `validateCredentials` with `useSavedCredentials: true` makes Entra itself call the Dashboard
with the saved Tenant URL and Secret Token; 204 means Entra can provision. It runs on create and
again whenever the tenant URL or the token changes, and fails the update with Graph's reason
otherwise. `preview` sends nothing; `refresh` does not repeat it. The China cloud has no
validateCredentials: there the test is skipped with a warning (`result: skipped`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from providers.configured_provider import ConfiguredProvider
from providers.connection_test_outcome import initial_props, passed
from providers.graph.client import GraphClient, job_id_failures
from providers.graph.credentials import GraphCredentials

_INPUTS = ("job_id", "tenant_url", "token")


@dataclass
class EntraConnectionTestArgs:
    """`job_id` is `SynchronizationJob.id`; `tenant_url` and `token` (secret) trigger a re-test."""

    job_id: pulumi.Input[str]
    tenant_url: pulumi.Input[str]
    token: pulumi.Input[str]


class EntraConnectionTestProvider(ConfiguredProvider[GraphCredentials, GraphClient]):
    credentials_type = GraphCredentials

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(
            {key: news.get(key) for key in _INPUTS},
            [*self.config_failures(), *job_id_failures(news)],
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in _INPUTS if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["job_id"], outs=self._test(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._test(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props, inputs={key: props.get(key) for key in _INPUTS})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: validateCredentials changes nothing."""

    def _test(self, props: dict[str, Any]) -> dict[str, Any]:
        client = self.client()
        if missing := client.unavailable("validateCredentials"):
            pulumi.log.warn(missing)
            return {**passed(props, _INPUTS, missing), "result": "skipped"}
        client.validate_credentials(props["job_id"])
        return passed(props, _INPUTS, "Entra's Test Connection (validateCredentials) returned 204")


class EntraConnectionTest(pulumi.dynamic.Resource, module="entra", name="ConnectionTest"):
    job_id: pulumi.Output[str]
    result: pulumi.Output[str]
    message: pulumi.Output[str]
    checked_at: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: EntraConnectionTestArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = initial_props(args)
        secret = pulumi.ResourceOptions(additional_secret_outputs=["token"])
        super().__init__(
            EntraConnectionTestProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secret),
        )
