"""The real engine runs the stand-in from PATH: up, a no-op up and destroy of a small program
using what the Entra components use (an app from the non-gallery template and its registration
read back, the provisioning secret, the job and a group assignment).

PYTEST_DONT_REWRITE: the module handles a token; a failing assertion must not print one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scim_setup.emulator.azuread import PLUGIN_DIR
from scim_setup.emulator.graph_process import FakeGraphProcess
from scripts.local_stack import LocalStack, python_project
from tests.azuread.conftest import USER_ROLE_ID, new_app
from tests.engine.conftest import pulumi_cli  # noqa: F401 (the fixture)

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-engine-smoke-987654321"
GROUP = "5b1e7a52-2c7e-4d8e-8f5e-0a1b2c3d4e5f"
PROGRAM = f"""
import pulumi
import pulumi_azuread as azuread

app = azuread.ApplicationFromTemplate(
    "app", display_name="Smoke app", template_id="8adf8e6e-67b2-4cf2-a259-e3dc5476c621"
)
registration = azuread.get_application_output(object_id=app.application_object_id)
sp = pulumi.Output.concat("/servicePrincipals/", app.service_principal_object_id)
secret = azuread.SynchronizationSecret(
    "secret",
    service_principal_id=sp,
    credentials=[
        azuread.SynchronizationSecretCredentialArgs(key="BaseAddress", value="https://t.example"),
        azuread.SynchronizationSecretCredentialArgs(
            key="SecretToken", value=pulumi.Output.secret("{TOKEN}")
        ),
    ],
    opts=pulumi.ResourceOptions(additional_secret_outputs=["credentials"]),
)
role = registration.app_roles.apply(
    lambda roles: next(r["id"] for r in roles if r["display_name"] == "User")
)
assignment = azuread.AppRoleAssignment(
    "group", app_role_id=role, principal_object_id="{GROUP}",
    resource_object_id=app.service_principal_object_id,
)
job = azuread.SynchronizationJob(
    "job", service_principal_id=sp, template_id="scim", enabled=True,
    opts=pulumi.ResourceOptions(depends_on=[secret, assignment]),
)
pulumi.export("client_id", registration.client_id)
pulumi.export("job_id", job.id)
"""


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess(extra_args=["--replication-lag", "0"]) as process:
        yield process


def new_stack(
    work: Path, graph: FakeGraphProcess, plugin_on_path: bool, program: str = PROGRAM
) -> LocalStack:
    """A stack of `program` whose engine finds the stand-in first on PATH, or else through the
    project's `plugins.providers` entry."""
    project = python_project(work / "project", program, ROOT / ".venv")
    stack = LocalStack(project, work, "smoke", timeout=300)
    stack.env.update(graph.environment())
    stack.env["SCIM_SETUP_AZUREAD_TIME_SCALE"] = "0.01"
    if plugin_on_path:
        stack.env["PATH"] = f"{PLUGIN_DIR}:{stack.env['PATH']}"
    else:
        entry = f"plugins:\n  providers:\n    - name: azuread\n      path: {PLUGIN_DIR}\n"
        (project / "Pulumi.yaml").write_text((project / "Pulumi.yaml").read_text() + entry)
    stack.init()
    return stack


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,  # noqa: F811
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> LocalStack:
    return new_stack(tmp_path_factory.mktemp("azuread-engine"), graph, plugin_on_path=True)


def test_up_no_op_up_refresh_and_destroy_run_the_stand_in_from_path(
    stack: LocalStack, graph: FakeGraphProcess
) -> None:
    first = stack.up()
    assert f"using pulumi-resource-azuread from $PATH at {PLUGIN_DIR}" in first.stdout
    job_path = stack.outputs()["job_id"]
    assert graph.graph("GET", job_path).json()["schedule"]["state"] == "Active"

    before = len(graph.requests())
    stack.up("--expect-no-changes")
    methods = {r["method"] for r in graph.requests()[before:] if r["path"].startswith("/v1.0/")}
    assert methods == {"GET"}  # the function calls only: no Graph write

    sp, job = job_path.split("/")[2], job_path.rsplit("/", 1)[1]
    graph.add_job(sp, job, state="Paused", schedule="Paused")  # paused in the portal
    stack.up("--refresh")
    assert [a["action"] for a in graph.actions() if a["jobId"] == job][-1] == "start"

    stack.destroy()
    assert graph.graph("GET", job_path).status_code == 404
    assert TOKEN not in stack.transcript()
    assert TOKEN not in stack.export()


def test_the_projects_plugins_entry_finds_the_stand_in_without_path(
    pulumi_cli: str,  # noqa: F811
    graph: FakeGraphProcess,
    tmp_path: Path,
) -> None:
    stack = new_stack(tmp_path, graph, plugin_on_path=False)

    first = stack.up()
    assert "pulumi-resource-azuread from $PATH" not in first.stdout
    job_path = stack.outputs()["job_id"]
    assert graph.graph("GET", job_path).status_code == 200

    stack.destroy()
    assert graph.graph("GET", job_path).status_code == 404


IMPORT_PROGRAM = """
import pulumi
import pulumi_azuread as azuread

azuread.SynchronizationJob(
    "job", service_principal_id="/servicePrincipals/{sp}", template_id="scim",
    opts=pulumi.ResourceOptions(import_="{job_id}"),
)
azuread.AppRoleAssignment(
    "group", app_role_id="{role}", principal_object_id="{group}", resource_object_id="{sp}",
    opts=pulumi.ResourceOptions(import_="{assignment_id}"),
)
"""


def test_an_import_differing_from_graphs_ids_is_refused_and_a_matching_one_changes_nothing(
    pulumi_cli: str,  # noqa: F811
    graph: FakeGraphProcess,
    tmp_path: Path,
) -> None:
    sp = new_app(graph, "Made by hand")["sp"]
    job = graph.graph(
        "POST", f"/servicePrincipals/{sp}/synchronization/jobs", {"templateId": "scim"}
    )
    job_id = f"/servicePrincipals/{sp}/synchronization/jobs/{job.json()['id']}"
    graph.graph("POST", f"{job_id}/start")
    assigned = graph.assign(sp, GROUP, USER_ROLE_ID)
    ids = {"sp": sp, "job_id": job_id, "role": USER_ROLE_ID}
    ids["assignment_id"] = f"/servicePrincipals/{sp}/appRoleAssignedTo/{assigned['id']}"

    upper = IMPORT_PROGRAM.format(group=GROUP.upper(), **ids)
    stack = new_stack(tmp_path, graph, plugin_on_path=True, program=upper)
    refused = stack.run("up", "--yes", "--skip-preview", *stack.config_args(), check=False)
    assert refused.returncode != 0
    # a replacing difference, as every assignment input is ForceNew upstream
    assert "previously-imported resources that still specify an ID may not be replaced" in (
        refused.stdout
    )
    assert f"principalObjectId: {{{GROUP}}} => {{{GROUP.upper()}}}" in refused.stdout

    (stack.project_dir / "__main__.py").write_text(IMPORT_PROGRAM.format(group=GROUP, **ids))
    stack.up("--expect-no-changes")
