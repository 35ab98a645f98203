"""`azuread:index/synchronizationJob:SynchronizationJob`, as terraform-provider-azuread's
`internal/services/synchronization/synchronization_job_resource.go` does it.

Inputs `servicePrincipalId` (`/servicePrincipals/{objectId}`) and `templateId` force replacement;
`enabled` (default true) is the only thing an update changes: start or pause. Timeouts: create 15
minutes, the others 5. The id, also the import id, is
`/servicePrincipals/{objectId}/synchronization/jobs/{jobId}`.
"""

from __future__ import annotations

from typing import Any

from providers.graph.client import GraphError
from scim_setup.emulator.azuread.errors import ProviderError
from scim_setup.emulator.azuread.graph import synchronization_retry, was_not_found
from scim_setup.emulator.azuread.ids import JobId, service_principal_id
from scim_setup.emulator.azuread.locks import SERVICE_PRINCIPAL
from scim_setup.emulator.azuread.resource import (
    MINUTE,
    SERVICE_PRINCIPAL_ID,
    Input,
    Resource,
    must_not_be_empty,
)
from scim_setup.emulator.azuread.waits import wait_for_deletion, wait_for_update
from scim_setup.emulator.azuread.wire import Properties


class SynchronizationJob(Resource):
    token = "azuread:index/synchronizationJob:SynchronizationJob"
    inputs = (
        SERVICE_PRINCIPAL_ID,
        Input("templateId", required=True, force_new=True, validate=must_not_be_empty),
        Input("enabled", default=True),
    )
    create_timeout_s = 15 * MINUTE

    def create(self, inputs: Properties, deadline: float) -> tuple[str, Properties]:
        """`synchronizationJobResourceCreate`: the service principal must exist; POST the job,
        wait until it reads back, start it when `enabled`, then read it."""
        sp_path = str(inputs["servicePrincipalId"])
        sp_id = service_principal_id(sp_path)
        with self.locks.hold(SERVICE_PRINCIPAL, sp_id):
            return self._create(sp_path, sp_id, inputs, deadline)

    def _create(
        self, sp_path: str, sp_id: str, inputs: Properties, deadline: float
    ) -> tuple[str, Properties]:
        try:
            self.graph.call("GET", f"/servicePrincipals/{sp_id}")
        except GraphError as error:
            if was_not_found(error):
                raise ProviderError(f"service_principal_id: {sp_path} was not found") from None
            raise ProviderError(f"service_principal_id: Retrieving {sp_path}: {error}") from None
        body = {"templateId": inputs["templateId"]}
        try:
            created = self.graph.call(
                "POST",
                f"/servicePrincipals/{sp_id}/synchronization/jobs",
                body,
                retry_if=synchronization_retry,
                deadline=deadline,
            )
        except GraphError as error:
            raise ProviderError(f"Creating synchronization job for {sp_path}: {error}") from None
        if not created.get("id"):
            raise ProviderError(
                f"API error creating synchronization job for {sp_path}: nil or empty id received"
            )
        job = JobId(sp_id, str(created["id"]))
        try:
            wait_for_update(self.clock, deadline, lambda: self._exists(job, "retrieving"))
        except ProviderError as error:
            raise ProviderError(f"Waiting for creation of {job}: {error}") from None
        if inputs.get("enabled", True):
            self._control(job, "start", deadline)
        return self._read_or_fail(job)

    def read(self, resource_id: str, state: Properties) -> tuple[str, Properties] | None:
        """`synchronizationJobResourceRead`: 404 means gone; `enabled` is the schedule being
        Active; `servicePrincipalId` comes from the id."""
        job = JobId.parse(resource_id)
        try:
            found = self.graph.call("GET", _path(job))
        except GraphError as error:
            if was_not_found(error):
                return None
            raise ProviderError(f"Retrieving {job}: {error}") from None
        schedule = found.get("schedule")
        outputs = {
            "id": str(job),
            "servicePrincipalId": f"/servicePrincipals/{job.service_principal_id}",
            "templateId": found.get("templateId") or "",
            "enabled": (schedule or {}).get("state") == "Active",
            "schedules": _schedules(schedule),
        }
        return str(job), outputs

    def update(
        self, resource_id: str, state: Properties, news: Properties, deadline: float
    ) -> Properties:
        """`synchronizationJobResourceUpdate`: a change of `enabled` starts or pauses the job."""
        job = JobId.parse(resource_id)
        enabled = bool(news.get("enabled", True))
        if enabled != bool(state.get("enabled")):
            self._control(job, "start" if enabled else "pause", deadline)
        return self._read_or_fail(job)[1]

    def delete(self, resource_id: str, state: Properties, deadline: float) -> None:
        """`synchronizationJobResourceDelete`: DELETE, then wait until the job reads 404."""
        job = JobId.parse(resource_id)
        try:
            self.graph.call("DELETE", _path(job), retry_if=synchronization_retry, deadline=deadline)
        except GraphError as error:
            raise ProviderError(f"Removing {job}: {error}") from None
        try:
            wait_for_deletion(self.clock, deadline, lambda: self._exists(job, "retrieving"))
        except ProviderError as error:
            raise ProviderError(f"Waiting for deletion of {job}: {error}") from None

    def _control(self, job: JobId, action: str, deadline: float) -> None:
        try:
            self.graph.call(
                "POST", f"{_path(job)}/{action}", retry_if=synchronization_retry, deadline=deadline
            )
        except GraphError as error:
            verb = "Starting" if action == "start" else "Pausing"
            raise ProviderError(f"{verb} {job}: {error}") from None

    def _exists(self, job: JobId, doing: str) -> bool:
        try:
            self.graph.call("GET", _path(job))
        except GraphError as error:
            if was_not_found(error):
                return False
            raise ProviderError(f"{doing} synchronization job: {error}") from None
        return True

    def _read_or_fail(self, job: JobId) -> tuple[str, Properties]:
        found = self.read(str(job), {})
        if found is None:
            raise ProviderError(f"Retrieving {job}: Graph answered 404 right after the write")
        return found


def _path(job: JobId) -> str:
    return f"/servicePrincipals/{job.service_principal_id}/synchronization/jobs/{job.job_id}"


def _schedules(schedule: dict[str, Any] | None) -> list[dict[str, Any]]:
    """`flattenSynchronizationSchedule`: one entry, zero values for what Graph leaves null."""
    if schedule is None:
        return []
    return [
        {
            "expiration": schedule.get("expiration") or "",
            "interval": schedule.get("interval") or "",
            "state": schedule.get("state") or "",
        }
    ]
