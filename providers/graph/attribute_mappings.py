"""`AttributeMappings`: the provisioning job's user attribute mappings and scoping filter as code.

Neither pulumi-azuread nor Terraform's azuread provider can manage them
(hashicorp/terraform-provider-azuread issue 1332), so this resource works on the job's
synchronization schema through Graph: `GET .../jobs/{jobId}/schema`, change exactly the declared
targets (and the filter, when one is declared), `PUT` the whole schema back
(graph/api/synchronization-synchronizationschema-update). Unlisted targets keep whatever they
have. Expressions are turned into Graph's `attributeMappingSource` tree by Graph's own
`parseExpression`.

Before anything is written, every target is checked against the attributes the Dashboard's SCIM
endpoint declares in `/Schemas` (`check()`, so `preview` fails; again before the `PUT`).
`diff` reads the live schema, so a mapping changed in the portal is drift that `preview` reports
and `up` puts back; `refresh` records the live values. `destroy` resets the schema to the
template's default (`DELETE .../schema`, graph/api/synchronization-synchronizationschema-delete).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from providers.configured_provider import ConfiguredProvider, is_known
from providers.dashboard.client import DashboardError
from providers.dashboard.scim_schemas import read_declared_attributes
from providers.graph.client import GraphClient, GraphError, job_id_failures
from providers.graph.credentials import GraphCredentials
from providers.graph.mapping_expression import (
    ExpressionError,
    attribute_name,
    canonical,
    check,
    expression_of,
)
from providers.graph.synchronization_schema import (
    DeclaredMapping,
    SchemaError,
    apply,
    attribute_source,
    drift,
    live_view,
    parse_clause,
)

MAPPINGS_KEY = "entra:attributeMappings"
SCOPING_KEY = "entra:scopingFilter"
_INPUTS = ("job_id", "mappings", "scoping_filter", "tenant_url", "token")
_FIELDS = ("target", "source", "default", "matching")


class MappingsInvalid(GraphError):
    """A declared mapping cannot be written; the message names the config entry and the fix."""


@dataclass
class AttributeMappingsArgs:
    """`mappings`: `{target, source, default?, matching?}` dicts (`source` None removes the
    target's mapping); `scoping_filter`: clauses such as `department EQUALS Sales`, or None to
    leave the live filter alone. `tenant_url` and `token` (secret) reach the Dashboard's
    `/Schemas`, against which the targets are checked."""

    job_id: pulumi.Input[str]
    mappings: pulumi.Input[Sequence[pulumi.Input[Mapping[str, Any]]]]
    scoping_filter: pulumi.Input[Sequence[str]] | None = None
    tenant_url: pulumi.Input[str] | None = None
    token: pulumi.Input[str] | None = None


class AttributeMappingsProvider(ConfiguredProvider[GraphCredentials, GraphClient]):
    credentials_type = GraphCredentials

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {key: news.get(key) for key in _INPUTS}
        if isinstance(inputs["mappings"], list):
            inputs["mappings"] = [_entry(item) for item in inputs["mappings"]]
        failures = [*self.config_failures(), *job_id_failures(news)]
        # No property name: the engine would print the whole list before the reason.
        failures += [CheckFailure("", p) for p in declaration_problems(inputs)]
        if not failures:
            failures += [CheckFailure("", p) for p in target_problems(inputs)]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A changed declaration, or a live schema that differs from it (drift)."""
        replaces = ["job_id"] if olds.get("job_id") != news.get("job_id") else []
        changed = bool(replaces) or any(olds.get(key) != news.get(key) for key in _INPUTS)
        if not changed and is_known(news.get("job_id")):
            changed = bool(self._drift(news))
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=True)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["job_id"], outs=self._converge(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._converge(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The declared places as they are live, so `refresh` shows a portal edit as drift."""
        try:
            schema = self.client().schema(id_)
        except GraphError as error:
            if error.status == 404:
                return ReadResult(id_="", outs={})
            raise
        declared = [DeclaredMapping.from_props(m) for m in props.get("mappings") or []]
        live = live_view(schema, [entry.target for entry in declared])
        recorded = {
            **props,
            "mappings": [
                _as_declared(entry, seen)
                for entry, seen in zip(declared, live["mappings"], strict=True)
            ],
            "live": live,
        }
        if props.get("scoping_filter") is not None:
            recorded["scoping_filter"] = _as_declared_filter(
                props["scoping_filter"], live["scoping_filter"]
            )
        return ReadResult(
            id_=id_, outs=recorded, inputs={key: recorded.get(key) for key in _INPUTS}
        )

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """Back to the template's default mappings and scope."""
        try:
            self.client().reset_schema(id_)
        except GraphError as error:
            if error.status != 404:
                raise

    def _drift(self, props: Mapping[str, Any]) -> list[str]:
        schema = self.client().schema(props["job_id"])
        return _drift_of(schema, props)

    def _converge(self, props: dict[str, Any]) -> dict[str, Any]:
        """Check the targets, then write the schema only where it differs from the declaration."""
        if problems := [*declaration_problems(props), *target_problems(props)]:
            raise MappingsInvalid("; ".join(problems))
        job_id = props["job_id"]
        client = self.client()
        schema = client.schema(job_id)
        declared = [DeclaredMapping.from_props(m) for m in props.get("mappings") or []]
        if _drift_of(schema, props):
            sources = {
                entry.target: _graph_source(client, job_id, entry.source)
                for entry in declared
                if entry.source is not None
            }
            client.put_schema(job_id, apply(schema, declared, props.get("scoping_filter"), sources))
            schema = client.schema(job_id)
        live = live_view(schema, [entry.target for entry in declared])
        return {**{key: props.get(key) for key in _INPUTS}, "live": live}


def declaration_problems(props: Mapping[str, Any]) -> list[str]:
    """Every malformed source or clause, naming its config entry; needs no network."""
    problems = []
    mappings = props.get("mappings")
    for position, item in enumerate(mappings if isinstance(mappings, list) else []):
        source = item.get("source") if isinstance(item, dict) else None
        if isinstance(source, str) and is_known(source):
            try:
                check(source)
            except ExpressionError as error:
                problems.append(f"{MAPPINGS_KEY}[{position}]: source {error}")
    clauses = props.get("scoping_filter")
    for position, clause in enumerate(clauses if isinstance(clauses, list) else []):
        if isinstance(clause, str) and is_known(clause):
            try:
                parse_clause(clause)
            except ValueError as error:
                problems.append(f"{SCOPING_KEY}[{position}]: {error}")
    return problems


def target_problems(props: Mapping[str, Any]) -> list[str]:
    """Targets the Dashboard's `/Schemas` does not declare; nothing while URL or token is unknown
    (the first `preview`), in which case `up` checks before it writes."""
    tenant_url, token = props.get("tenant_url"), props.get("token")
    if not (isinstance(tenant_url, str) and isinstance(token, str)):
        return []
    if not (is_known(tenant_url) and is_known(token)):
        return []
    try:
        declared = read_declared_attributes(tenant_url, token)
    except DashboardError as error:
        return [f"{MAPPINGS_KEY}: cannot check the targets: {error}"]
    problems = []
    for position, item in enumerate(props.get("mappings") or []):
        target = item.get("target") if isinstance(item, dict) else None
        problem = (
            declared.target_problem(target)
            if isinstance(target, str) and is_known(target)
            else None
        )
        if problem:
            where = f"{MAPPINGS_KEY}[{position}]"
            problems.append(f"{where}: target {problem}; fix or remove the entry")
    return problems


def _entry(item: Any) -> Any:
    """One mapping with exactly the four keys (absent ones as None)."""
    if not isinstance(item, dict):
        return item
    return {key: item.get(key) for key in _FIELDS}


def _drift_of(schema: Mapping[str, Any], props: Mapping[str, Any]) -> list[str]:
    declared = [DeclaredMapping.from_props(m) for m in props.get("mappings") or []]
    try:
        return drift(schema, declared, props.get("scoping_filter"))
    except SchemaError as error:
        raise GraphError(f"{props['job_id']}: {error}") from None


def _graph_source(client: GraphClient, job_id: str, source: str) -> dict[str, Any]:
    name = attribute_name(source)
    if name is not None:
        return attribute_source(name)
    return client.parse_expression(job_id, expression_of(source))


def _as_declared(entry: DeclaredMapping, live: Mapping[str, Any]) -> dict[str, Any]:
    """The live mapping in the declaration's spelling where the two agree."""
    source = live["source"]
    if (
        source is not None
        and entry.source is not None
        and canonical(source) == canonical(entry.source)
    ):
        source = entry.source
    matching = None if entry.matching is None else live["matching"]
    return {
        "target": entry.target,
        "source": source,
        "default": live["default"],
        "matching": matching,
    }


def _as_declared_filter(declared: Sequence[str], live: Sequence[str]) -> list[str]:
    wanted = {parse_clause(text).text: text for text in declared}
    return [wanted.get(clause, clause) for clause in live]


class AttributeMappings(pulumi.dynamic.Resource, module="entra", name="AttributeMappings"):
    """The job's user attribute mappings and scoping filter; `live` is what Graph has."""

    job_id: pulumi.Output[str]
    mappings: pulumi.Output[list[dict[str, Any]]]
    scoping_filter: pulumi.Output[list[str] | None]
    live: pulumi.Output[dict[str, Any]]

    def __init__(
        self,
        resource_name: str,
        args: AttributeMappingsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        token = None if args.token is None else pulumi.Output.secret(args.token)
        props = {**vars(args), "token": token, "live": None}
        secret = pulumi.ResourceOptions(additional_secret_outputs=["token"])
        super().__init__(
            AttributeMappingsProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secret),
        )
