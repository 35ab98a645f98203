"""`ServicePrincipalReady`: a new application's service principal is visible before it is used.

terraform-provider-azuread's `application_from_template` create waits until the application can be
read, not its service principal (`application_from_template_resource.go`), while the
synchronization secret's and job's creates GET the service principal first and fail on Graph's
404 ("Service principal with object ID … was not found") as long as it is still propagating.
This resource sits between them: its create polls `GET /servicePrincipals/{id}` until Graph
answers 200 (`GraphClient.wait_for_service_principal`, at most `SERVICE_PRINCIPAL_WAIT_S`), and
its output `service_principal_id` is the id the secret, the job and the assignments take.

It writes nothing. Its `diff` reports a change only when the id changes (a new application), so a
no-op `up` makes no call; a refresh (`read`) keeps the state as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult

from providers.configured_provider import ConfiguredProvider, is_known
from providers.graph.client import OBJECT_ID, GraphClient
from providers.graph.credentials import GraphCredentials

_KEY = "service_principal_id"


@dataclass
class ServicePrincipalReadyArgs:
    """`service_principal_id` is the object id of the new application's service principal."""

    service_principal_id: pulumi.Input[str]


class ServicePrincipalReadyProvider(ConfiguredProvider[GraphCredentials, GraphClient]):
    credentials_type = GraphCredentials

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        object_id = news.get(_KEY)
        failures = self.config_failures()
        if isinstance(object_id, str) and is_known(object_id) and not OBJECT_ID.match(object_id):
            failures.append(CheckFailure(_KEY, f"{object_id!r} is not an object id (a GUID)"))
        return CheckResult({_KEY: object_id}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Only another service principal (a new application) is waited for again."""
        changed = olds.get(_KEY) != news.get(_KEY)
        return DiffResult(
            changes=changed, replaces=[_KEY] if changed else [], delete_before_replace=False
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        object_id = str(props[_KEY])
        self.client().wait_for_service_principal(object_id)
        return CreateResult(id_=object_id, outs={_KEY: object_id})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props, inputs={_KEY: props.get(_KEY)})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: the service principal belongs to the application resource."""


class ServicePrincipalReady(pulumi.dynamic.Resource, module="entra", name="ServicePrincipalReady"):
    """Created once Graph shows the service principal; take `service_principal_id` from here."""

    service_principal_id: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: ServicePrincipalReadyArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(ServicePrincipalReadyProvider(), resource_name, vars(args), opts)
