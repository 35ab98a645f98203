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


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,  # noqa: F811
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> LocalStack:
    work = tmp_path_factory.mktemp("azuread-engine")
    project = python_project(work / "project", PROGRAM, ROOT / ".venv")
    stack = LocalStack(project, work, "smoke", timeout=300)
    stack.env.update(graph.environment())
    stack.env["SCIM_SETUP_AZUREAD_TIME_SCALE"] = "0.01"
    stack.env["PATH"] = f"{PLUGIN_DIR}:{stack.env['PATH']}"
    stack.init()
    return stack


def test_up_no_op_up_and_destroy_run_the_stand_in_from_path(
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

    stack.destroy()
    assert graph.graph("GET", job_path).status_code == 404
    assert TOKEN not in stack.transcript()
    assert TOKEN not in stack.export()
