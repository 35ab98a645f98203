"""The fake Graph's attribute mappings and provisioning on demand.

Graph calls answered, in Microsoft's documented shapes (learn.microsoft.com graph/api/...):
- `GET`, `PUT`, `DELETE .../jobs/{jobId}/schema` (synchronizationschema-get/-update/-delete):
  each job starts with the `scim` template's default user and group mappings (`default_schema`);
  `PUT` replaces it (204), `DELETE` resets it (204).
- `POST .../jobs/{jobId}/schema/parseExpression` (synchronizationschema-parseexpression).
- `POST .../jobs/{jobId}/provisionOnDemand` (synchronizationjob-provisionondemand): applies the
  job's stored user mappings and scoping filter to one directory user and sends the SCIM requests
  Entra would (look up by the matching attribute, then `POST /Users` or `PATCH`) to the saved
  tenant URL with the saved token (kept by `fake_graph_secrets`); answers Graph's `{key, value}`
  pair with the steps (Import, Scoping, Matching, Processing, Export) as JSON text.

Test-control routes:
- `PUT /_fake/mappings` `{"servicePrincipalId", "jobId", "target", "expression"}`: change one user
  mapping as a portal edit would.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from typing import Any

import requests
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from scim_setup.emulator import fake_graph_expressions as expressions
from scim_setup.emulator.fake_graph_directory import directory_user
from scim_setup.emulator.fake_graph_state import (
    FakeGraphState,
    find_job,
    graph_error,
    saved_secrets,
)

ENTRA_DIRECTORY = "Azure Active Directory"
TARGET_DIRECTORY = "customappsso"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
USER_RULE_ID = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8"
"""The fake job's rule id (real ones are GUIDs too; provisionOnDemand names the rule)."""

DEFAULT_USER_MAPPINGS = (
    ("userName", "[userPrincipalName]", 1),
    ("active", 'Switch([IsSoftDeleted], , "False", "True", "True", "False")', 0),
    ("displayName", "[displayName]", 0),
    ("title", "[jobTitle]", 0),
    ('emails[type eq "work"].value', "[mail]", 0),
    ("preferredLanguage", "[preferredLanguage]", 0),
    ("name.givenName", "[givenName]", 0),
    ("name.familyName", "[surname]", 0),
    ("name.formatted", 'Join(" ", [givenName], [surname])', 0),
    ("externalId", "[mailNickname]", 0),
    (f"{ENTERPRISE_URN}:department", "[department]", 0),
    (f"{ENTERPRISE_URN}:employeeNumber", "[employeeId]", 0),
)
"""The `scim` template's user mappings as Entra's SCIM tutorial lists them (a subset: addresses,
phone numbers and manager left out), `userName` matching first."""


def default_schema() -> dict[str, Any]:
    """A synchronizationSchema as Graph returns it for a new `scim` job."""
    user_mappings = [
        {
            "defaultValue": None,
            "exportMissingReferences": False,
            "flowBehavior": "FlowWhenChanged",
            "flowType": "Always",
            "matchingPriority": priority,
            "source": expressions.source_tree(expressions.parse(expression)),
            "targetAttributeName": target,
        }
        for target, expression, priority in DEFAULT_USER_MAPPINGS
    ]
    group_mappings = [
        {
            "defaultValue": None,
            "exportMissingReferences": False,
            "flowBehavior": "FlowWhenChanged",
            "flowType": "Always",
            "matchingPriority": 1 if target == "displayName" else 0,
            "source": expressions.source_tree(expressions.parse(f"[{source}]")),
            "targetAttributeName": target,
        }
        for target, source in (("displayName", "displayName"), ("externalId", "objectId"))
    ]
    return {
        "id": f"scim.{uuid.uuid4().hex}",
        "version": "Date:2026-01-01T00:00:00Z~Scope:",
        "directories": [
            _directory(ENTRA_DIRECTORY, "User", _source_attributes()),
            _directory(TARGET_DIRECTORY, ENTERPRISE_URN, [t for t, _, _ in DEFAULT_USER_MAPPINGS]),
        ],
        "synchronizationRules": [
            {
                "id": USER_RULE_ID,
                "name": "USER_TO_CUSTOMAPPSSO",
                "editable": True,
                "sourceDirectoryName": ENTRA_DIRECTORY,
                "targetDirectoryName": TARGET_DIRECTORY,
                "metadata": [],
                "objectMappings": [
                    _object_mapping(
                        "Provision Microsoft Entra ID Users", "User", ENTERPRISE_URN, user_mappings
                    ),
                    _object_mapping(
                        "Provision Microsoft Entra ID Groups",
                        "Group",
                        "urn:ietf:params:scim:schemas:core:2.0:Group",
                        group_mappings,
                    ),
                ],
            }
        ],
    }


def _source_attributes() -> list[str]:
    return [
        "objectId",
        "userPrincipalName",
        "mail",
        "mailNickname",
        "displayName",
        "givenName",
        "surname",
        "jobTitle",
        "department",
        "employeeId",
        "preferredLanguage",
        "IsSoftDeleted",
        "accountEnabled",
    ]


def _directory(name: str, object_name: str, attributes: list[str]) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "objects": [
            {
                "name": object_name,
                "attributes": [
                    {"name": a, "type": "String", "multivalued": False} for a in attributes
                ],
            }
        ],
    }


def _object_mapping(
    name: str, source: str, target: str, mappings: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "enabled": True,
        "flowTypes": "Add, Update, Delete",
        "metadata": [],
        "name": name,
        "scope": None,
        "sourceObjectName": source,
        "targetObjectName": target,
        "attributeMappings": mappings,
    }


def add_mappings_routes(app: FastAPI, state: FakeGraphState) -> None:
    """Add the routes above to the fake Graph `app`."""
    job_path = "/v1.0/servicePrincipals/{sp_id}/synchronization/jobs/{job_id}"

    def refused(request: Request, sp_id: str, job_id: str) -> Response | None:
        found = find_job(state, request, sp_id, job_id)
        return found if isinstance(found, Response) else None

    def schema_of(sp_id: str, job_id: str) -> dict[str, Any]:
        with state.lock:
            return state.schemas.setdefault((sp_id.lower(), job_id), default_schema())

    @app.get(job_path + "/schema")
    async def get_schema(sp_id: str, job_id: str, request: Request) -> Response:
        if failure := refused(request, sp_id, job_id):
            return failure
        return JSONResponse(schema_of(sp_id, job_id))

    @app.put(job_path + "/schema")
    async def put_schema(sp_id: str, job_id: str, request: Request) -> Response:
        if failure := refused(request, sp_id, job_id):
            return failure
        body = await request.json()
        if not isinstance(body.get("synchronizationRules"), list):
            return graph_error(400, "BadRequest", "The schema has no synchronizationRules.")
        stored = {**copy.deepcopy(body), "id": schema_of(sp_id, job_id)["id"]}
        with state.lock:
            state.schemas[(sp_id.lower(), job_id)] = stored
        return Response(status_code=204)

    @app.delete(job_path + "/schema")
    async def reset_schema(sp_id: str, job_id: str, request: Request) -> Response:
        if failure := refused(request, sp_id, job_id):
            return failure
        with state.lock:
            state.schemas[(sp_id.lower(), job_id)] = default_schema()
        return Response(status_code=204)

    @app.post(job_path + "/schema/parseExpression")
    async def parse_expression(sp_id: str, job_id: str, request: Request) -> Response:
        if failure := refused(request, sp_id, job_id):
            return failure
        text = str((await request.json()).get("expression") or "")
        try:
            tree = expressions.source_tree(expressions.parse(text))
        except expressions.ExpressionFault as fault:
            return graph_error(400, "BadRequest", f"Failed to parse expression: {fault}")
        return JSONResponse(
            {
                "error": None,
                "evaluationSucceeded": False,
                "evaluationResult": None,
                "parsedExpression": tree,
                "parsingSucceeded": True,
            }
        )

    @app.post(job_path + "/provisionOnDemand")
    def provision_on_demand(
        sp_id: str, job_id: str, request: Request, body: dict[str, Any]
    ) -> Response:
        if failure := refused(request, sp_id, job_id):
            return failure
        try:
            parameter = body["parameters"][0]
            rule_id, object_id = parameter["ruleId"], parameter["subjects"][0]["objectId"]
        except (KeyError, IndexError, TypeError):
            return graph_error(400, "BadRequest", "parameters[0].ruleId and subjects are required.")
        schema = schema_of(sp_id, job_id)
        rule = next((r for r in schema["synchronizationRules"] if r.get("id") == rule_id), None)
        if rule is None:
            return graph_error(400, "BadRequest", f"Synchronization rule '{rule_id}' not found.")
        user = directory_user(state, object_id)
        if user is None:
            return graph_error(404, "Request_ResourceNotFound", f"Object '{object_id}' not found.")
        secrets = saved_secrets(state, sp_id) or {}
        if not secrets.get("BaseAddress") or not secrets.get("SecretToken"):
            return graph_error(
                400, "BadRequest", "CredentialsMissing: save the Tenant URL and Secret Token first."
            )
        run = _OnDemandRun(user, rule, secrets["BaseAddress"], secrets["SecretToken"])
        return JSONResponse(run.result())

    @app.put("/_fake/mappings")
    async def edit_mapping(request: Request) -> Response:
        body = await request.json()
        schema = schema_of(body["servicePrincipalId"], body["jobId"])
        tree = expressions.source_tree(expressions.parse(body["expression"]))
        with state.lock:
            user_mapping = schema["synchronizationRules"][0]["objectMappings"][0]
            for item in user_mapping["attributeMappings"]:
                if item["targetAttributeName"].lower() == str(body["target"]).lower():
                    item["source"] = tree
        return Response(status_code=204)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _OnDemandRun:
    """One provisionOnDemand: the steps Entra reports, and the SCIM calls it makes."""

    def __init__(
        self, user: dict[str, Any], rule: dict[str, Any], tenant_url: str, token: str
    ) -> None:
        self.user = {
            "objectId": user["id"],
            "IsSoftDeleted": "False",
            "accountEnabled": "True",
            **user,
        }
        self.mapping = next(m for m in rule["objectMappings"] if m["sourceObjectName"] == "User")
        self.tenant_url = tenant_url.split("?", 1)[0].rstrip("/")
        self.token = token
        self.name = str(user.get("userPrincipalName") or user["id"])
        self.steps: list[dict[str, Any]] = []
        self.target_id: str | None = None

    def step(
        self, name: str, kind: str, status: str, description: str, details: dict[str, Any]
    ) -> None:
        self.steps.append(
            {
                "name": name,
                "type": kind,
                "status": status,
                "description": description,
                "timestamp": _now(),
                "details": details,
            }
        )

    def result(self) -> dict[str, Any]:
        self.step(
            "EntryImport",
            "Import",
            "Success",
            f"Retrieved User '{self.name}' from {ENTRA_DIRECTORY}",
            {k: str(v) for k, v in self.user.items() if k != "assigned"},
        )
        outcome, reason = self.scoping()
        if outcome == "Success":
            outcome, reason = self.synchronize()
        status_info = {"status": outcome, "errorCode": reason, "reason": reason}
        value = {
            "action": "Create" if outcome == "Success" else "Other",
            "provisioningSteps": self.steps,
            "reportableIdentifier": self.name,
            "statusInfo": status_info,
            "sourceIdentity": {"id": self.user["objectId"], "type": "User"},
            "targetIdentity": {"id": self.target_id, "type": ENTERPRISE_URN},
        }
        key = {"result": outcome, "details": {"errorCode": reason} if reason else {}}
        return {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair",
            "key": json.dumps(key),
            "value": json.dumps(value),
        }

    def scoping(self) -> tuple[str, str | None]:
        clauses = [
            c
            for g in ((self.mapping.get("scope") or {}).get("groups") or [])
            for c in g.get("clauses") or []
        ]
        results = {_clause_text(c): clause_passes(c, self.user) for c in clauses}
        assigned = bool(self.user.get("assigned", True))
        in_scope = assigned and all(results.values())
        details = {
            "IsActive": "True",
            "Assigned": str(assigned),
            "IsEffectivelyEntitledForProvisioning": str(in_scope),
            "IsInProvisioningScope": str(in_scope),
            "ScopeEvaluationResult": json.dumps(results),
        }
        if in_scope:
            self.step(
                "EntrySynchronizationScoping",
                "Scoping",
                "Success",
                "Determine if User in scope by evaluating against each scoping filter",
                details,
            )
            return "Success", None
        details["SkipReason"] = "NotEffectivelyEntitled"
        self.step(
            "EntrySynchronizationSkip",
            "Scoping",
            "Skipped",
            f"The User '{self.name}' will be skipped due to the following reasons: 1) This object "
            "is not assigned to the application. 2) This object did not pass a scoping filter. "
            "If you did not expect the object to be skipped, review your scoping filters and "
            "assignments.",
            details,
        )
        return "Skipped", "NotEffectivelyEntitled"

    def synchronize(self) -> tuple[str, str | None]:
        try:
            values = {
                item["targetAttributeName"]: expressions.evaluate(
                    expressions.parse(item["source"]["expression"]) if item.get("source") else None,
                    self.user,
                )
                or item.get("defaultValue")
                for item in self.mapping["attributeMappings"]
            }
        except expressions.ExpressionFault as fault:
            self.step("EntrySynchronizationError", "Processing", "Failure", str(fault), {})
            return "Failure", "ExpressionEvaluationFailure"
        matching = sorted(
            (int(i["matchingPriority"]), i["targetAttributeName"])
            for i in self.mapping["attributeMappings"]
            if int(i.get("matchingPriority") or 0) > 0
        )
        session = requests.Session()
        session.trust_env = False
        session.headers.update(
            {"Authorization": f"Bearer {self.token}", "Content-Type": "application/scim+json"}
        )
        with session:
            looked_up, existing = self.match(
                session, matching[0][1] if matching else "userName", values
            )
            if not looked_up:
                return "Failure", "SystemForCrossDomainIdentityManagementServiceIncompatible"
            return self.export(session, values, existing)

    def match(
        self, session: requests.Session, target: str, values: dict[str, Any]
    ) -> tuple[bool, dict[str, Any] | None]:
        """(whether the lookup worked, the matching account or None)."""
        value = values.get(target)
        query = f'{target} eq "{value}"'
        response = session.get(f"{self.tenant_url}/Users", params={"filter": query}, timeout=10)
        if response.status_code != 200:
            self.step(
                "EntryImportError",
                "Matching",
                "Failure",
                f"Failed to look up User '{value}' in {TARGET_DIRECTORY}: {response.status_code}",
                {"StatusCode": str(response.status_code)},
            )
            return False, None
        found = (response.json().get("Resources") or [None])[0]
        description = (
            f"Retrieved '{value}' from {TARGET_DIRECTORY}"
            if found
            else f"No matching User found in {TARGET_DIRECTORY} by {query}"
        )
        self.step("EntryImport", "Matching", "Success", description, {"MatchingAttribute": target})
        return True, found

    def export(
        self, session: requests.Session, values: dict[str, Any], existing: dict[str, Any] | None
    ) -> tuple[str, str | None]:
        body = scim_user(values)
        if existing is None:
            self.step(
                "EntrySynchronizationAdd",
                "Processing",
                "Success",
                f"User '{self.name}' will be created in {TARGET_DIRECTORY} (User is active and "
                f"assigned in {ENTRA_DIRECTORY}, but no matching User was found in "
                f"{TARGET_DIRECTORY})",
                {},
            )
            response = session.post(f"{self.tenant_url}/Users", json=body, timeout=10)
            name, verb = "EntryExportAdd", "create"
        else:
            self.step(
                "EntrySynchronizationUpdate",
                "Processing",
                "Success",
                f"User '{self.name}' will be updated in {TARGET_DIRECTORY}",
                {},
            )
            operations = [
                {"op": "Replace", "path": k, "value": v} for k, v in body.items() if k != "schemas"
            ]
            response = session.patch(
                f"{self.tenant_url}/Users/{existing['id']}",
                json={
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": operations,
                },
                timeout=10,
            )
            name, verb = "EntryExportUpdate", "update"
        if response.status_code >= 300:
            detail = response.json().get("detail", "") if response.content else ""
            self.step(
                name,
                "Export",
                "Failure",
                f"Failed to {verb} User '{self.name}' in {TARGET_DIRECTORY}: "
                f"{response.status_code} {detail}",
                {"StatusCode": str(response.status_code)},
            )
            return "Failure", "SystemForCrossDomainIdentityManagementServiceIncompatible"
        self.target_id = str(response.json().get("id") or (existing or {}).get("id"))
        self.step(
            name,
            "Export",
            "Success",
            f"User '{self.name}' was {verb}d in {TARGET_DIRECTORY}",
            {"userName": str(values.get("userName")), "id": self.target_id},
        )
        return "Success", None


def scim_user(values: dict[str, Any]) -> dict[str, Any]:
    """The `POST /Users` body Entra builds from mapped target attributes (None left out)."""
    body: dict[str, Any] = {"schemas": [CORE_USER_URN]}
    for target, value in values.items():
        if value is None:
            continue
        if target.startswith(f"{ENTERPRISE_URN}:"):
            body.setdefault(ENTERPRISE_URN, {})[target.rsplit(":", 1)[1]] = value
            if ENTERPRISE_URN not in body["schemas"]:
                body["schemas"].append(ENTERPRISE_URN)
        elif "[type eq " in target:
            name, rest = target.split("[type eq ", 1)
            kind, sub = rest.split("]", 1)
            body.setdefault(name, []).append(
                {"type": kind.strip('"'), sub.lstrip("."): value, "primary": True}
            )
        elif target == "active":
            body["active"] = str(value).lower() == "true"
        elif "." in target:
            name, sub = target.split(".", 1)
            body.setdefault(name, {})[sub] = value
        else:
            body[target] = value
    return body


def _clause_text(clause: dict[str, Any]) -> str:
    values = (clause.get("targetOperand") or {}).get("values") or []
    return " ".join(
        [str(clause.get("sourceOperandName")), str(clause.get("operatorName")), *map(str, values)]
    )


def clause_passes(clause: dict[str, Any], user: dict[str, Any]) -> bool:
    value = user.get(str(clause.get("sourceOperandName")))
    wanted = [str(v).lower() for v in (clause.get("targetOperand") or {}).get("values") or []]
    text = None if value is None else str(value).lower()
    operator = str(clause.get("operatorName")).upper()
    return {
        "EQUALS": text is not None and text in wanted,
        "NOT EQUALS": text not in wanted,
        "IS NULL": text is None,
        "IS NOT NULL": text is not None,
        "IS TRUE": text == "true",
        "IS FALSE": text == "false",
    }.get(operator, False)
