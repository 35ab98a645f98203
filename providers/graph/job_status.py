"""`ProvisioningJobStatus`: is provisioning actually working? The job's status, kept in state.

The status the portal shows (Active, Paused, Quarantine, NotRun; the quarantine's reason and next
attempt; the last cycle's state, time and counts) is read from Graph on create and by every
`pulumi refresh`, so stack outputs built on it stay current. With `fail_when_quarantined`, every
`pulumi up` reads it again and fails while the job sits in quarantine. `quarantine_lift` says who
lifts a quarantine: "pulumi up" (bad credentials, see `providers.graph.job_control`) or "a person".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from providers.configured_provider import ConfiguredProvider
from providers.graph.client import GraphClient, GraphError, JobStatus, job_id_failures
from providers.graph.credentials import GraphCredentials
from providers.graph.job_control import lifted_by_package
from providers.graph.quarantine_summary import quarantine_summary
from providers.timestamps import utc_stamp

QUARANTINE = "Quarantine"


@dataclass
class ProvisioningJobStatusArgs:
    """`job_id` is `SynchronizationJob.id` (`/servicePrincipals/{id}/synchronization/jobs/{id}`)."""

    job_id: pulumi.Input[str]
    fail_when_quarantined: pulumi.Input[bool] = False


class ProvisioningQuarantined(GraphError):
    """The job is in quarantine and the stack asked `up` to fail then."""


def quarantine_message(job_id: str, status: JobStatus) -> str:
    return (
        f"provisioning job {job_id} is in quarantine {quarantine_summary(status.quarantine)}. Fix "
        "the cause (run `scim-setup status`, see the portal's provisioning logs), then restart "
        "provisioning; or set entra:failWhenQuarantined to false"
    )


def quarantine_lift(status: JobStatus) -> str | None:
    """Who lifts the job's quarantine: "pulumi up", "a person", or None when not quarantined."""
    lifted = lifted_by_package(status)
    return None if lifted is None else "pulumi up" if lifted else "a person"


class ProvisioningJobStatusProvider(ConfiguredProvider[GraphCredentials, GraphClient]):
    credentials_type = GraphCredentials

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {
            "job_id": news.get("job_id"),
            "fail_when_quarantined": news.get("fail_when_quarantined") is True,
        }
        return CheckResult(inputs, [*self.config_failures(), *job_id_failures(news)])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """With `fail_when_quarantined`, every `up` reads the status again (an update)."""
        changed = any(olds.get(key) != news.get(key) for key in ("job_id", "fail_when_quarantined"))
        recheck = news.get("fail_when_quarantined") is True
        return DiffResult(changes=changed or recheck, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["job_id"], outs=self._status(props, enforce=True))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._status(news, enforce=True))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            outs = self._status({**props, "job_id": id_}, enforce=False)
        except GraphError as error:
            if error.status == 404:
                return ReadResult(id_="", outs={})
            raise
        inputs = {key: outs[key] for key in ("job_id", "fail_when_quarantined")}
        return ReadResult(id_=id_, outs=outs, inputs=inputs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: the status was only read."""

    def _status(self, props: dict[str, Any], enforce: bool) -> dict[str, Any]:
        job_id = props["job_id"]
        status = self.client().job_status(job_id)
        fail = props.get("fail_when_quarantined") is True
        if enforce and fail and status.code == QUARANTINE:
            raise ProvisioningQuarantined(quarantine_message(job_id, status))
        return {
            "job_id": job_id,
            "fail_when_quarantined": fail,
            "status": {**asdict(status), "quarantine_lift": quarantine_lift(status)},
            "checked_at": utc_stamp(),
        }


class ProvisioningJobStatus(pulumi.dynamic.Resource, module="entra", name="ProvisioningJobStatus"):
    """The provisioning job's `status` (Graph `synchronizationStatus`, snake_case keys)."""

    job_id: pulumi.Output[str]
    fail_when_quarantined: pulumi.Output[bool]
    status: pulumi.Output[dict[str, Any]]
    checked_at: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: ProvisioningJobStatusArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {**vars(args), "status": None, "checked_at": None}
        super().__init__(ProvisioningJobStatusProvider(), resource_name, props, opts)
