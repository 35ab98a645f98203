"""The fake Graph's provisioning cycle: what Entra's provisioning service does every 40 minutes.

Following learn.microsoft.com entra/identity/app-provisioning/how-provisioning-works and
use-scim-to-provision-users-and-groups, one cycle of a started job with saved credentials:

- reads the users in scope: with the saved `SyncAll` "true" every directory user, else the users
  assigned to the app directly or through an assigned group (the fake directory's groups);
- keeps those that pass the user mapping's scoping filter;
- computes each user's target attributes through the job's attribute mappings (the schema that
  `fake_graph_mappings` keeps), with `IsSoftDeleted` "True" for a user deleted or disabled
  (`accountEnabled` false) in the directory, so the default `active` mapping gives "False";
- for a user it has not provisioned yet, looks the account up by the matching attribute
  (`GET /Users?filter=userName eq "…"`) and creates it (`POST /Users`) or updates the match;
- for one it has provisioned, sends `PATCH /Users/{id}` with one `Replace` per changed
  attribute, or nothing when nothing changed (the engine remembers what it exported; a restart
  that resets the watermark forgets it);
- for one that left the scope (unassigned, removed from the group, filtered out), disables the
  account (`Replace` of `active` with "False"), as Entra does unless `SkipOutOfScopeDeletions`.

Requests go to the saved `BaseAddress` with the saved `SecretToken` as Bearer, in Entra's shapes
(capitalised ops and "True"/"False" strings; lower-case ops and booleans when the tenant URL
carries the `aadOptscim062020` flag). The outcome goes on the job's `status` as Graph reports it
(synchronizationStatus: `lastExecution`, `lastSuccessfulExecution`,
`synchronizedEntryCountByType`); a 401 from the tenant URL puts the job in quarantine with
`EncounteredQuarantineException`, as bad credentials do (application-provisioning-quarantine-
status). Groups are not provisioned.

Test-control routes (and the process option `--cycle-interval SECONDS`, which runs a cycle of
every started job that often, for the demo):

- `POST /_fake/jobs/{jobId}/cycle` (optional `?servicePrincipalId=`): run one cycle now; answers
  the job as `GET …/jobs/{jobId}` would (404 for an unknown job, 409 for one not started).
"""

from __future__ import annotations

import datetime
import threading
import time
import uuid
from typing import Any

import requests
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from scim_setup.emulator import fake_graph_expressions as expressions
from scim_setup.emulator.fake_graph_jobs import CREDENTIALS_ERROR, job_json
from scim_setup.emulator.fake_graph_mappings import clause_passes, default_schema, scim_user
from scim_setup.emulator.fake_graph_state import FakeGraphState, FakeJob, saved_secrets

PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
COMPLIANCE_FLAG = "aadOptscim062020"


class CycleRefused(Exception):
    """The job cannot run a cycle (not found, or not started)."""


def run_cycle(state: FakeGraphState, sp_id: str, job_id: str) -> FakeJob:
    """Run one provisioning cycle of the job and record its outcome on it."""
    key = (sp_id.lower(), job_id)
    with state.lock:
        job = state.jobs.get(key)
    if job is None:
        raise CycleRefused(f"no job {job_id} under service principal {sp_id}")
    if job.state not in ("Active", "Quarantine") or job.schedule_state not in (None, "Active"):
        raise CycleRefused(f"job {job_id} is {job.state}: start it first")
    with state.cycle_lock:
        began = _now()
        cycle = _Cycle(state, key, job)
        error = cycle.run()
        _record(state, job, cycle, error, began)
    return job


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _record(
    state: FakeGraphState, job: FakeJob, cycle: _Cycle, error: dict[str, Any] | None, began: str
) -> None:
    if error is not None:
        outcome = "Failed"
    elif cycle.failed:
        outcome = "EntryLevelErrors"
    else:
        outcome = "Succeeded"
    execution = {
        "activityIdentifier": str(uuid.uuid4()),
        "countEntitled": cycle.entitled,
        "countEntitledForProvisioning": cycle.entitled,
        "countEscrowed": cycle.failed,
        "countEscrowedRaw": cycle.failed,
        "countExported": cycle.exported,
        "countExports": cycle.exported + cycle.failed,
        "countImported": cycle.imported,
        "countImportedDeltas": cycle.exported + cycle.failed,
        "countImportedReferenceDeltas": 0,
        "error": error,
        "state": outcome,
        "timeBegan": began,
        "timeEnded": _now(),
    }
    with state.lock:
        job.last_execution = execution
        if outcome == "Succeeded":
            job.last_successful_execution = execution
        active = sum(1 for record in job.exported.values() if record["active"])
        job.entry_counts = [{"key": "User", "value": active}]
        if error is not None and error["code"] == CREDENTIALS_ERROR:
            job.state = "Quarantine"
            job.quarantine_reason = "EncounteredQuarantineException"
        elif error is None and job.state == "Quarantine":
            job.state = "Active"


class _Cycle:
    """One pass over the directory: counts, and the SCIM calls made."""

    def __init__(self, state: FakeGraphState, key: tuple[str, str], job: FakeJob) -> None:
        self.state = state
        self.key = key
        self.sp_id = key[0]
        self.job = job
        self.compliant = False
        self.tenant_url = ""
        self.entitled = self.imported = self.exported = self.failed = 0
        self.session = requests.Session()
        self.session.trust_env = False

    def run(self) -> dict[str, Any] | None:
        """None, or the synchronizationError that stopped the whole cycle."""
        secrets = saved_secrets(self.state, self.sp_id) or {}
        base, token = secrets.get("BaseAddress", ""), secrets.get("SecretToken", "")
        if not base or not token:
            return _error("CredentialsMissing", "Please configure provisioning credentials.")
        self.compliant = COMPLIANCE_FLAG.lower() in base.lower()
        self.tenant_url = base.split("?", 1)[0].rstrip("/")
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
        )
        mapping = self.user_mapping()
        sync_all = secrets.get("SyncAll", "false").strip().lower() == "true"
        with self.state.lock:
            users = {uid: dict(user) for uid, user in self.state.users.items()}
            assigned = self.assigned_user_ids(users) if not sync_all else set(users)
        self.imported = len(users)
        with self.session:
            try:
                for user_id, user in users.items():
                    source = _source(user)
                    in_scope = user_id in assigned and all(
                        clause_passes(clause, source) for clause in _clauses(mapping)
                    )
                    if in_scope:
                        self.entitled += 1
                        self.provision(user_id, source, mapping)
                    elif self.job.exported.get(user_id, {}).get("active"):
                        self.disable(user_id)
            except _Unauthorized:
                return _error(CREDENTIALS_ERROR, "The SCIM endpoint answered 401 Unauthorized.")
            except requests.RequestException as failure:
                return _error(
                    "ConnectionFailure", f"The tenant URL could not be reached: {failure}"
                )
        return None

    def user_mapping(self) -> dict[str, Any]:
        with self.state.lock:
            schema = self.state.schemas.setdefault(self.key, default_schema())
        rule = schema["synchronizationRules"][0]
        return next(m for m in rule["objectMappings"] if m["sourceObjectName"] == "User")

    def assigned_user_ids(self, users: dict[str, dict[str, Any]]) -> set[str]:
        """Users assigned directly or through a group (caller holds the lock)."""
        ids: set[str] = set()
        for assignment in self.state.assignments.get(self.sp_id, []):
            principal = assignment["principalId"]
            if principal in users:
                ids.add(principal)
            group = self.state.groups.get(principal)
            if group is not None:
                ids.update(str(member) for member in group.get("members") or [])
        return ids

    def provision(self, user_id: str, source: dict[str, Any], mapping: dict[str, Any]) -> None:
        try:
            values = {
                item["targetAttributeName"]: expressions.evaluate(
                    expressions.parse(item["source"]["expression"]) if item.get("source") else None,
                    source,
                )
                or item.get("defaultValue")
                for item in mapping["attributeMappings"]
            }
        except expressions.ExpressionFault:
            self.failed += 1
            return
        record = self.job.exported.get(user_id)
        if record is None:
            if str(values.get("active")).lower() == "false":
                return
            target_id = self.match(values, mapping)
            if target_id is None:
                self.create(user_id, values)
                return
            record = {"targetId": target_id, "values": {}, "active": True}
        changed = {
            k: v for k, v in values.items() if v is not None and record["values"].get(k) != v
        }
        if changed:
            self.update(user_id, record["targetId"], values, changed)

    def match(self, values: dict[str, Any], mapping: dict[str, Any]) -> str | None:
        matching = sorted(
            (int(item["matchingPriority"]), item["targetAttributeName"])
            for item in mapping["attributeMappings"]
            if int(item.get("matchingPriority") or 0) > 0
        )
        target = matching[0][1] if matching else "userName"
        query = {"filter": f'{target} eq "{values.get(target)}"'}
        response = self.send("GET", "/Users", params=query)
        if response.status_code != 200:
            return None
        found = (response.json().get("Resources") or [None])[0]
        return None if found is None else str(found["id"])

    def create(self, user_id: str, values: dict[str, Any]) -> None:
        response = self.send("POST", "/Users", json=scim_user(values))
        if response.status_code >= 300:
            self.failed += 1
            return
        self.exported += 1
        target_id = str(response.json()["id"])
        self.job.exported[user_id] = {"targetId": target_id, "values": values, "active": True}

    def update(
        self, user_id: str, target_id: str, values: dict[str, Any], changed: dict[str, Any]
    ) -> None:
        operations = [self.replace(path, value) for path, value in changed.items()]
        response = self.send("PATCH", f"/Users/{target_id}", json=_patch(operations))
        if response.status_code >= 300:
            self.failed += 1
            return
        self.exported += 1
        active = str(values.get("active")).lower() != "false"
        self.job.exported[user_id] = {"targetId": target_id, "values": values, "active": active}

    def disable(self, user_id: str) -> None:
        record = self.job.exported[user_id]
        operation = self.replace("active", "False")
        response = self.send("PATCH", f"/Users/{record['targetId']}", json=_patch([operation]))
        if response.status_code >= 300:
            self.failed += 1
            return
        self.exported += 1
        record["active"] = False
        record["values"] = {**record["values"], "active": "False"}

    def replace(self, path: str, value: Any) -> dict[str, Any]:
        """One `Replace` as Entra sends it: "True"/"False" strings unless compliant."""
        if path == "active" and self.compliant:
            value = str(value).lower() == "true"
        return {"op": "replace" if self.compliant else "Replace", "path": path, "value": value}

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(method, self.tenant_url + path, timeout=10, **kwargs)
        if response.status_code == 401:
            raise _Unauthorized
        return response


class _Unauthorized(Exception):
    pass


def _patch(operations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP_URN], "Operations": operations}


def _error(code: str, message: str) -> dict[str, Any]:
    """A synchronizationError."""
    return {"code": code, "message": message, "tenantActionable": True}


def _clauses(mapping: dict[str, Any]) -> list[dict[str, Any]]:
    groups = (mapping.get("scope") or {}).get("groups") or []
    return [clause for group in groups for clause in group.get("clauses") or []]


def _source(user: dict[str, Any]) -> dict[str, Any]:
    """A directory user as the engine reads it, `IsSoftDeleted` "True" if deleted or disabled."""
    enabled = str(user.get("accountEnabled", True)).lower() != "false"
    deleted = bool(user.get("deleted"))
    return {
        "objectId": user["id"],
        **{k: v for k, v in user.items() if k not in ("assigned", "deleted")},
        "accountEnabled": str(enabled),
        "IsSoftDeleted": str(deleted or not enabled),
    }


def run_due_cycles(state: FakeGraphState) -> int:
    """One cycle of every started job (the demo's timer); returns how many ran."""
    with state.lock:
        keys = [key for key, job in state.jobs.items() if job.state in ("Active", "Quarantine")]
    ran = 0
    for sp_id, job_id in keys:
        try:
            run_cycle(state, sp_id, job_id)
        except CycleRefused:
            continue
        ran += 1
    return ran


def start_cycle_timer(state: FakeGraphState, interval: float) -> threading.Thread:
    """Run `run_due_cycles` every `interval` seconds on a daemon thread (Entra: every 40 min)."""

    def loop() -> None:
        while True:
            time.sleep(interval)
            run_due_cycles(state)

    thread = threading.Thread(target=loop, name="fake-graph-cycles", daemon=True)
    thread.start()
    return thread


def add_provisioning_routes(app: FastAPI, state: FakeGraphState) -> None:
    @app.post("/_fake/jobs/{job_id}/cycle")
    def cycle(job_id: str, servicePrincipalId: str | None = None) -> JSONResponse:
        with state.lock:
            keys = [
                key
                for key in state.jobs
                if key[1] == job_id and servicePrincipalId in (None, key[0])
            ]
        if not keys:
            return JSONResponse({"message": f"no job {job_id}: create it first"}, 404)
        try:
            job = run_cycle(state, keys[0][0], job_id)
        except CycleRefused as refused:
            return JSONResponse({"message": str(refused)}, 409)
        return JSONResponse(job_json(job_id, job))
