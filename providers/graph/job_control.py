"""`ProvisioningJobControl`: Entra's provisioning job keeps running as declared.

pulumi-azuread starts or pauses the job only when `enabled` changes in the program, and reads
the saved token back as `*`; so a job stopped in the portal, quarantined after a token rotation
or holding a token pasted over ours stays broken while `pulumi up` reports success. This resource
runs after the synchronization secret and the job. On every preview and up its `check()` reads the
job and runs Entra's Test Connection with the saved credentials (validateCredentials only checks)
and records the repairs the next update makes, as codes in the `plan` input that previews and
`scim-setup review` show:

- `rewrite-credentials`: the saved Tenant URL and Secret Token fail Test Connection. The update
  PUTs the declared pairs (`credentials`, the same the azuread secret declares) again.
- `lift-quarantine`: the job is in quarantine for bad credentials (`EncounteredQuarantineException`,
  the reason Graph documents for invalid credentials) and Test Connection passes. The update
  calls `start`.
- `start`: the job is stopped (schedule Paused or Disabled) while `start_provisioning` is true.
- `pause`: `start_provisioning` changed from true to false and the job runs. Otherwise, with
  `start_provisioning` false, the job is left as it is (a job started by hand keeps running).
- `restart-scope`: `sync_all` changed (on create: differs from `adopted_sync_all`, the scope of a
  setup made in the portal); Microsoft's known issues say a switch between "sync all"
  and "sync assigned" needs a restart to take effect. The update restarts with the criteria of
  the portal's *Restart provisioning* (`RESTART_SCOPE`), which re-evaluates every object.

This resource is the only one that starts or pauses the job: the azuread job ignores changes of
its `enabled` (it is passed at create only, where the provider starts the job when true), since
its Read sets `enabled` from the schedule and its Update would start or pause the job to match.

A restart the job cannot take now (it is in a quarantine only a person may lift, or
`start_provisioning` is false) is kept as `restart_pending`, in both the inputs and the outputs,
until an update has made it: a later `up` restarts instead of only starting. `check` predicts
whether this run restarts, and the update keeps to that prediction, so the pending restart in
the inputs (what the next `check` sees) and in the outputs always agree.

A quarantine for any other reason (too many deletes, escrow thresholds, on demand, ...) is never
lifted, since lifting it would defeat its purpose: `attention` names Graph's reason, the next
attempt and the portal link, and the stack exports it.

Why `start` and not `restart` with `criteria.resetScope = QuarantineState` to lift a quarantine:
Graph documents `start` for exactly this ("If the job is in quarantine, the quarantine status is
cleared"; "use the start job only when the job is currently paused or in quarantine",
synchronization-synchronizationjob-start), and the restart criteria doc sends callers who only
want a quarantined job running to Start ("None: Starts a paused or quarantined provisioning job.
DO NOT USE. Use the Start synchronizationJob API instead"), and calls QuarantineState a temporary
lift. `start` keeps the watermark and the escrows, so the next cycle is incremental and retries
the changes that got a 401; a restart is documented as reprocessing every object (hours for a
large tenant). A changed secret alone therefore never restarts the job.

Why this resource writes the overwritten secret itself instead of replacing the azuread secret
(`replacement_trigger`): the trigger would have to be known before the secret registers, but the
check needs the job, and the job depends on the secret (it must not start without credentials):
a cycle. Replacing the secret would also create the new one and then delete the old, and the
azuread provider deletes by writing every key back empty. Writing after the secret, with the
very pairs its state holds, keeps the dependency direction (secret, job, then this) and leaves
the azuread secret's state true.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from providers.configured_provider import ConfiguredProvider, is_known
from providers.graph.client import (
    GraphClient,
    GraphError,
    JobStatus,
    ProvisioningJob,
    job_id_failures,
)
from providers.graph.credentials import GraphCredentials
from providers.graph.quarantine_summary import quarantine_summary
from providers.timestamps import utc_stamp

REWRITE_CREDENTIALS = "rewrite-credentials"
LIFT_QUARANTINE = "lift-quarantine"
START = "start"
PAUSE = "pause"
RESTART_SCOPE = "restart-scope"

CREDENTIAL_QUARANTINE_REASONS = frozenset({"EncounteredQuarantineException"})
"""The quarantine reasons `up` lifts once Test Connection passes (Graph: invalid credentials)."""

RESET_SCOPE = "Watermark, Escrows, QuarantineState"
"""The portal's *Restart provisioning* (synchronizationJobRestartCriteria: an empty scope "is
similar to setting the resetScope to include QuarantineState, Watermark, and Escrows")."""

_INPUTS = ("job_id", "start_provisioning", "sync_all", "credentials", "portal_url")
_KEPT = (*_INPUTS, "restart_pending")
"""What a refresh keeps as inputs: the declared values and the restart still owed."""


@dataclass
class ProvisioningJobControlArgs:
    """`job_id` is `SynchronizationJob.id`; `credentials` (secret) are the secret's pairs,
    `[{"key", "value"}]`; `portal_url` goes into the report of a quarantine a person must lift."""

    job_id: pulumi.Input[str]
    credentials: pulumi.Input[Sequence[Mapping[str, pulumi.Input[str]]]]
    start_provisioning: pulumi.Input[bool] = True
    sync_all: pulumi.Input[bool] = False
    portal_url: pulumi.Input[str] | None = None
    adopted_sync_all: pulumi.Input[bool] | None = None
    """`SyncAll` as Entra held it when `scim-setup adopt` read it: on create, the scope the job
    switches from. Not compared by `diff`, so dropping `entra:import` later changes nothing."""


def lifted_by_package(status: JobStatus) -> bool | None:
    """Whether `up` lifts the job's quarantine once the credentials work; None: no quarantine."""
    if status.code != "Quarantine":
        return None
    reason = status.quarantine.reason if status.quarantine else None
    return reason in CREDENTIAL_QUARANTINE_REASONS


def scope_changed(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """`sync_all` changed since the last update, or on create since the adopted setup's scope."""
    before = olds.get("sync_all") if olds else news.get("adopted_sync_all")
    after = news.get("sync_all")
    return isinstance(before, bool) and isinstance(after, bool) and before != after


def restart_owed(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """`sync_all` changed now (on create: from the adopted scope), or earlier without the restart
    yet; not once the job is another (a new job's first cycle runs with the declared scope)."""
    if olds and olds.get("job_id") != news.get("job_id"):
        return False
    return scope_changed(olds, news) or olds.get("restart_pending") is True


def stopping(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """`start_provisioning` changed from true to false since the last update."""
    return olds.get("start_provisioning") is True and news.get("start_provisioning") is False


def job_actions(
    job: ProvisioningJob, start_provisioning: bool, restart_for_scope: bool, stop: bool = False
) -> list[str]:
    """What brings `job` to the declared state, once the saved credentials work.

    `stop`: `start_provisioning` was just turned off, so a running job is paused.
    """
    if stop:
        return [PAUSE] if job.schedule_state == "Active" else []
    lift = lifted_by_package(job.status)
    if lift is False or not start_provisioning:
        return []
    if restart_for_scope:
        return [RESTART_SCOPE]  # also lifts a credential quarantine and starts a stopped job
    if lift:
        return [LIFT_QUARANTINE]
    return [START] if job.schedule_state != "Active" else []


def attention(job: ProvisioningJob, portal_url: Any) -> str | None:
    """The report of a quarantine only a person may lift, with Graph's reason; None otherwise."""
    if lifted_by_package(job.status) is not False:
        return None
    where = portal_url if isinstance(portal_url, str) and portal_url else "the Entra admin center"
    return (
        f"provisioning is in quarantine {quarantine_summary(job.status.quarantine)}. scim-setup "
        "lifts only quarantines for bad credentials: a person must decide (provisioning logs, "
        f"then Restart provisioning) at {where}"
    )


class ProvisioningJobControlProvider(ConfiguredProvider[GraphCredentials, GraphClient]):
    credentials_type = GraphCredentials

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """The inputs, plus `plan`, `attention` and `restart_pending` from the live job (on create
        only when an adopted job's scope changes)."""
        inputs = {key: news.get(key) for key in _INPUTS}
        inputs["start_provisioning"] = news.get("start_provisioning") is not False
        inputs["sync_all"] = news.get("sync_all") is True
        inputs["adopted_sync_all"] = news.get("adopted_sync_all")
        failures = [*self.config_failures(), *job_id_failures(news)]
        owed = restart_owed(olds, inputs)
        inputs["plan"], inputs["attention"], inputs["restart_pending"] = [], None, owed
        if (olds or owed) and not failures and is_known(inputs["job_id"]):
            inputs["plan"], inputs["attention"] = self._plan(olds, inputs, owed)
            inputs["restart_pending"] = owed and RESTART_SCOPE not in inputs["plan"]
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(key) != news.get(key) for key in (*_INPUTS, "attention"))
        changed |= (olds.get("restart_pending") is True) != (news.get("restart_pending") is True)
        return DiffResult(
            changes=changed or bool(news.get("plan")), replaces=[], delete_before_replace=False
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=props["job_id"], outs=self._converge({}, props))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._converge(olds, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props, inputs={key: props.get(key) for key in _KEPT})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to undo: the job and the secret belong to the azuread resources."""

    def _plan(
        self, olds: dict[str, Any], news: dict[str, Any], owed: bool
    ) -> tuple[list[str], str | None]:
        job_id = news["job_id"]
        job = self.client().job(job_id, _credentials_written(olds, news))
        plan = [] if self._credentials_work(job_id) else [REWRITE_CREDENTIALS]
        plan += job_actions(job, news["start_provisioning"], owed, stopping(olds, news))
        return plan, attention(job, news.get("portal_url"))

    def _converge(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        """Make the repairs the live job needs now (not those `check` saw: time has passed).

        Except the restart for a scope change: it is made exactly when `check` planned it, so the
        `restart_pending` of the inputs holds; a job that can no longer take it fails the update
        (the old state stays, and with it the restart owed).
        """
        client, job_id = self.client(), news["job_id"]
        written = _credentials_written(olds, news)
        job = client.job(job_id, written)  # waits out Graph's lag after the job or secret write
        done = []
        if not self._credentials_work(job_id):
            client.save_credentials(job_id, _pairs(news.get("credentials")))
            client.validate_credentials(job_id, just_written=True)
            done.append(REWRITE_CREDENTIALS)
        owed = restart_owed(olds, news)
        planned = owed and news.get("restart_pending") is not True
        actions = job_actions(job, news["start_provisioning"], planned, stopping(olds, news))
        if planned and RESTART_SCOPE not in actions:
            raise GraphError(
                f"the restart that entra:syncAll needs was planned, but job {job_id} can no "
                "longer take it (paused or put in quarantine since); it stays pending: run "
                "`pulumi up` again"
            )
        for action in actions:
            if action == RESTART_SCOPE:
                client.restart_job(job_id, RESET_SCOPE, written)
            elif action == PAUSE:
                client.pause_job(job_id)
            elif missing := client.unavailable("start"):  # the China cloud
                pulumi.log.warn(missing)
                actions = []
            else:
                client.start_job(job_id, written)
        if actions:
            job = client.job(job_id, just_written=True)
        done += actions
        return {
            **{key: news.get(key) for key in _INPUTS},
            "plan": [],
            "attention": attention(job, news.get("portal_url")),
            "restart_pending": owed and not planned,
            "done": done,
            "checked_at": utc_stamp(),
        }

    def _credentials_work(self, job_id: str) -> bool:
        """Entra's Test Connection with the saved credentials; False on Graph's 400 (rejected).

        Not retried on a 400 even right after the secret was written: writing the declared pairs
        again costs one PUT, while waiting out a real rejection would cost the lag's 15 s. Taken
        to work where the cloud has no validateCredentials (China), with a warning.
        """
        if missing := self.client().unavailable("validateCredentials"):
            pulumi.log.warn(missing)
            return True
        try:
            self.client().validate_credentials(job_id)
        except GraphError as error:
            if error.status == 400:
                return False
            raise
        return True


def _credentials_written(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """The secret (or the job) was written just before this call: Graph may lag."""
    return not olds or olds.get("credentials") != news.get("credentials")


def _pairs(credentials: Any) -> list[dict[str, str]]:
    if not isinstance(credentials, list) or not credentials:
        raise GraphError(
            "the saved provisioning credentials fail Entra's Test Connection and this resource "
            "has no credentials to write again; pass the synchronization secret's pairs"
        )
    return [{"key": str(pair["key"]), "value": str(pair["value"])} for pair in credentials]


class ProvisioningJobControl(
    pulumi.dynamic.Resource, module="entra", name="ProvisioningJobControl"
):
    """Keeps the provisioning job running as declared; `attention` says when a person must act."""

    job_id: pulumi.Output[str]
    plan: pulumi.Output[list[str]]
    attention: pulumi.Output[str | None]
    restart_pending: pulumi.Output[bool]
    done: pulumi.Output[list[str]]
    checked_at: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        args: ProvisioningJobControlArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            **vars(args),
            "credentials": pulumi.Output.secret(args.credentials),
            **dict.fromkeys(("plan", "attention", "restart_pending", "done", "checked_at")),
        }
        secret = pulumi.ResourceOptions(additional_secret_outputs=["credentials"])
        super().__init__(
            ProvisioningJobControlProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, secret),
        )
