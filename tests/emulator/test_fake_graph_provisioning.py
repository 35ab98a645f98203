"""The fake Graph's provisioning cycle against the Dashboard emulator: a started job with saved
credentials creates, updates and disables the users in its scope."""

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from scim_setup.emulator.fake_graph_applications import USER_ROLE_ID
from scim_setup.emulator.fake_graph_jobs import CREDENTIALS_ERROR
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from tests.support.scim_account import unique

NON_GALLERY = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess(extra_args=["--replication-lag", "0"]) as process:
        yield process


@dataclass
class Job:
    graph: FakeGraphProcess
    sp_id: str
    job_id: str
    group_id: str

    @property
    def path(self) -> str:
        return f"/servicePrincipals/{self.sp_id}/synchronization/jobs/{self.job_id}"

    def save_secrets(self, **pairs: str) -> None:
        body = {"value": [{"key": key, "value": value} for key, value in pairs.items()]}
        path = f"/servicePrincipals/{self.sp_id}/synchronization/secrets"
        assert self.graph.graph("PUT", path, body).status_code == 204

    def start(self) -> None:
        assert self.graph.graph("POST", f"{self.path}/start").status_code == 204

    def cycle(self) -> dict[str, Any]:
        return self.graph.run_cycle(self.job_id)["status"]


def new_user(**attributes: Any) -> dict[str, Any]:
    name = unique("user")
    return {
        "id": str(uuid.uuid4()),
        "userPrincipalName": f"{name}@contoso.example",
        "mail": f"{name}@contoso.example",
        "mailNickname": name,
        "displayName": f"User {name}",
        "givenName": "Given",
        "surname": name,
        **attributes,
    }


@pytest.fixture
def job(graph: FakeGraphProcess, emulator: EmulatorProcess, scim_token: str) -> Job:
    """A started job of a new app, saved credentials for the emulator, one assigned group."""
    created = graph.graph(
        "POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {"displayName": unique("app")}
    ).json()
    sp_id = created["servicePrincipal"]["id"]
    job_json = graph.graph(
        "POST", f"/servicePrincipals/{sp_id}/synchronization/jobs", {"templateId": "scim"}
    ).json()
    group_id = str(uuid.uuid4())
    graph.add_groups({"id": group_id, "displayName": unique("group"), "members": []})
    assignment = {"principalId": group_id, "resourceId": sp_id, "appRoleId": USER_ROLE_ID}
    graph.graph("POST", f"/servicePrincipals/{sp_id}/appRoleAssignedTo", assignment)
    made = Job(graph, sp_id, job_json["id"], group_id)
    made.save_secrets(BaseAddress=emulator.tenant_url, SecretToken=scim_token, SyncAll="false")
    made.start()
    return made


def set_members(job: Job, *users: dict[str, Any]) -> None:
    job.graph.add_users(*users)
    members = [user["id"] for user in users]
    job.graph.add_groups({"id": job.group_id, "displayName": "Members", "members": members})


def dashboard_user(emulator: EmulatorProcess, token: str, user: dict[str, Any]) -> dict | None:
    """The Dashboard's SCIM account for the directory user, or None."""
    response = requests.get(
        f"{emulator.tenant_url}/Users",
        params={"filter": f'userName eq "{user["userPrincipalName"]}"'},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    return (response.json().get("Resources") or [None])[0]


def test_members_of_the_assigned_group_are_created_and_others_are_not(
    job: Job, emulator: EmulatorProcess, scim_token: str
) -> None:
    ada, bob, outsider = new_user(), new_user(department="Sales"), new_user()
    set_members(job, ada, bob)
    job.graph.add_users(outsider)
    status = job.cycle()
    created = dashboard_user(emulator, scim_token, bob)
    assert created is not None
    assert created["active"] is True
    assert created["displayName"] == bob["displayName"]
    assert created["name"]["familyName"] == bob["surname"]
    assert dashboard_user(emulator, scim_token, ada) is not None
    assert dashboard_user(emulator, scim_token, outsider) is None
    execution = status["lastExecution"]
    assert execution["state"] == "Succeeded"
    assert (execution["countEntitled"], execution["countExported"]) == (2, 2)
    assert status["lastSuccessfulExecution"] == execution
    assert status["synchronizedEntryCountByType"] == [{"key": "User", "value": 2}]


def test_a_changed_user_is_updated_and_an_unchanged_one_costs_no_export(
    job: Job, emulator: EmulatorProcess, scim_token: str
) -> None:
    ada = new_user()
    set_members(job, ada)
    job.cycle()
    assert job.cycle()["lastExecution"]["countExported"] == 0
    job.graph.add_users({**ada, "displayName": "Ada Lovelace", "surname": "Lovelace"})
    status = job.cycle()
    assert status["lastExecution"]["countExported"] == 1
    updated = dashboard_user(emulator, scim_token, ada)
    assert updated is not None
    assert updated["displayName"] == "Ada Lovelace"
    assert updated["name"]["familyName"] == "Lovelace"


def test_users_leaving_the_scope_or_disabled_or_deleted_are_disabled(
    job: Job, emulator: EmulatorProcess, scim_token: str
) -> None:
    leaver, disabled, deleted, stayer = new_user(), new_user(), new_user(), new_user()
    set_members(job, leaver, disabled, deleted, stayer)
    job.cycle()
    set_members(job, disabled, deleted, stayer)
    job.graph.add_users({**disabled, "accountEnabled": False})
    job.graph.delete_user(deleted["id"])
    status = job.cycle()
    assert status["lastExecution"]["countExported"] == 3
    for user in (leaver, disabled, deleted):
        found = dashboard_user(emulator, scim_token, user)
        assert found is not None and found["active"] is False, user["userPrincipalName"]
    assert (dashboard_user(emulator, scim_token, stayer) or {}).get("active") is True
    assert status["synchronizedEntryCountByType"] == [{"key": "User", "value": 1}]
    job.graph.add_users(disabled)
    job.cycle()
    assert (dashboard_user(emulator, scim_token, disabled) or {}).get("active") is True


def test_sync_all_takes_every_directory_user(
    job: Job, emulator: EmulatorProcess, scim_token: str
) -> None:
    unassigned = new_user()
    job.graph.add_users(unassigned)
    job.save_secrets(SyncAll="true")
    job.cycle()
    assert dashboard_user(emulator, scim_token, unassigned) is not None


def test_the_scoping_filter_keeps_users_out(
    job: Job, emulator: EmulatorProcess, scim_token: str
) -> None:
    sales, support = new_user(department="Sales"), new_user(department="Support")
    set_members(job, sales, support)
    schema = job.graph.graph("GET", f"{job.path}/schema").json()
    user_mapping = schema["synchronizationRules"][0]["objectMappings"][0]
    clause = {
        "operatorName": "EQUALS",
        "sourceOperandName": "department",
        "targetOperand": {"values": ["Sales"]},
    }
    user_mapping["scope"] = {"groups": [{"clauses": [clause]}]}
    assert job.graph.graph("PUT", f"{job.path}/schema", schema).status_code == 204
    job.cycle()
    assert dashboard_user(emulator, scim_token, sales) is not None
    assert dashboard_user(emulator, scim_token, support) is None


def test_a_wrong_token_quarantines_the_job_and_missing_credentials_fail_the_cycle(
    job: Job, emulator: EmulatorProcess
) -> None:
    set_members(job, new_user())
    job.save_secrets(SecretToken="not-the-token")
    status = job.cycle()
    assert status["code"] == "Quarantine"
    assert status["lastExecution"]["state"] == "Failed"
    assert status["lastExecution"]["error"]["code"] == CREDENTIALS_ERROR
    assert status["quarantine"]["reason"] == "EncounteredQuarantineException"
    job.save_secrets(BaseAddress="", SecretToken="")
    status = job.cycle()
    assert status["lastExecution"]["error"]["code"] == "CredentialsMissing"


def test_a_job_not_started_runs_no_cycle(job: Job) -> None:
    assert job.graph.graph("POST", f"{job.path}/pause").status_code == 204
    with pytest.raises(requests.HTTPError) as raised:
        job.cycle()
    assert raised.value.response is not None
    assert raised.value.response.status_code == 409


def test_a_restart_that_resets_the_watermark_exports_every_user_again(job: Job) -> None:
    set_members(job, new_user(), new_user())
    job.cycle()
    assert job.cycle()["lastExecution"]["countExported"] == 0
    restart = {"criteria": {"resetScope": "Watermark"}}
    assert job.graph.graph("POST", f"{job.path}/restart", restart).status_code == 204
    assert job.cycle()["lastExecution"]["countExported"] == 2


def test_the_cycle_timer_provisions_without_being_asked(
    emulator: EmulatorProcess, scim_token: str
) -> None:
    with FakeGraphProcess(
        extra_args=["--replication-lag", "0", "--cycle-interval", "0.2"]
    ) as graph:
        created = graph.graph(
            "POST", f"/applicationTemplates/{NON_GALLERY}/instantiate", {"displayName": "Timed"}
        ).json()
        sp_id = created["servicePrincipal"]["id"]
        job_id = graph.graph(
            "POST", f"/servicePrincipals/{sp_id}/synchronization/jobs", {"templateId": "scim"}
        ).json()["id"]
        job = Job(graph, sp_id, job_id, group_id="")
        job.save_secrets(BaseAddress=emulator.tenant_url, SecretToken=scim_token, SyncAll="true")
        user = new_user()
        graph.add_users(user)
        job.start()
        deadline = time.monotonic() + 30
        while dashboard_user(emulator, scim_token, user) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert dashboard_user(emulator, scim_token, user) is not None
