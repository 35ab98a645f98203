"""A new Entra app under Graph's replication lag: the first `pulumi up` must still succeed.

PYTEST_DONT_REWRITE: the stack holds a real SCIM token; a failing assertion must not print it.

Graph answers 404 for a new service principal for a while after the application template is
instantiated. pulumi-azuread's ApplicationFromTemplate waits for the application only
(terraform-provider-azuread `application_from_template_resource.go`), and its AppRoleAssignment
create reads the resource service principal first and fails on a 404 without retrying
(`app_role_assignment_resource.go`, "Service principal not found for resource"). The fake Graph
keeps a new service principal hidden for half a second (its default lag); the stand-in plugin
does what upstream does. The Entra step waits for the service principal (`ServicePrincipalReady`)
before it assigns groups or saves the secret, which reads it first too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from tests.support.entra_stack import SALES, entra_stack, seed_directory


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with FakeGraphProcess() as process:
        seed_directory(process)
        yield process


def test_first_up_of_a_new_app_succeeds_despite_graphs_replication_lag(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
):
    work = tmp_path_factory.mktemp("entra-lag")
    stack = entra_stack(work, emulator, graph, {"displayName": "Backup SCIM"}, [SALES])

    result = stack.run("up", "--yes", "--skip-preview", *stack.config_args(), check=False)

    assert "Service principal not found for resource" not in result.stdout
    assert result.returncode == 0
