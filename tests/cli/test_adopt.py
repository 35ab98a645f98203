"""`scim-setup adopt` on real stacks: the emulator as a Dashboard set up by hand, the fake Graph
as the Entra app configured in the portal.

PYTEST_DONT_REWRITE: these tests hold a real SCIM token; a failing assertion must not print it.

The Dashboard-only stack runs the whole command, `pulumi preview` included, then `pulumi up`. The
stack with an Entra app writes its config only (`--no-preview`): the azuread plugin that its
preview needs cannot be built here, so the verdict on such a preview is tested in
`test_adoption_verdict.py`, and the imports the config causes in `tests/components`. The
Dashboard-only tests run in order on one stack: the wrong token leaves it without config, the
adoption writes its config and ups it, and the preview reads what that left.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.entra_import import assignment_import_id, job_import_id
from components.stack_config import parse_stack_config
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import project_dir, pulumi_cli  # noqa: F401 (fixture)
from tests.support.console_script import SCRIPT
from tests.support.dashboard import Dashboard, HandMadeToken
from tests.support.leaks import assert_not_leaked

SIZE = 80
SP_ID = "44444444-4444-4444-8444-444444444444"
APP_ID = "55555555-5555-4555-8555-555555555555"
JOB = f"scim.0123456789abcdef0123456789abcdef.{SP_ID}"
GROUP_A = "aaaaaaaa-0000-4000-8000-00000000000a"
GROUP_B = "bbbbbbbb-0000-4000-8000-00000000000b"
USER = "cccccccc-0000-4000-8000-00000000000c"
APPLICATION_ID = "66666666-6666-4666-8666-666666666666"
USER_ROLE = "18d14569-c3bd-439b-9a66-3a2aee01d14f"


@pytest.fixture(scope="module")
def by_hand(emulator: EmulatorProcess) -> HandMadeToken:
    return Dashboard(emulator.url, emulator.admin_token).set_up_by_hand(SIZE)


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    """The portal's work: the app, its running job, two groups and one user assigned."""
    with FakeGraphProcess() as process:
        process.add_service_principal(SP_ID, APP_ID, "Dashboard SCIM", APPLICATION_ID)
        process.add_job(SP_ID, JOB, "Active")
        yield process


def new_stack(work: Path, emulator: EmulatorProcess, name: str) -> LocalStack:
    stack = LocalStack(project_dir(work), work, name)
    stack.init()
    stack.set_config("dashboard:url", emulator.url)
    stack.set_config("dashboard:apiToken", emulator.admin_token, secret=True)
    return stack


def adopt(stack: LocalStack, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "adopt", "--stack", stack.stack, *stack.config_args(), *args],
        cwd=stack.project_dir,
        env={**stack.env, "COLUMNS": "200"},
        input=token + "\n",
        capture_output=True,
        text=True,
        timeout=300,
    )


def plain_config(stack: LocalStack) -> dict[str, object]:
    raw = json.loads(stack.run("config", "--json", *stack.config_args()).stdout)
    return {
        key: "[secret]" if item["secret"] else item.get("objectValue", item.get("value"))
        for key, item in raw.items()
    }


@pytest.fixture(scope="module")
def dashboard_only(
    pulumi_cli: str,  # noqa: F811
    emulator: EmulatorProcess,
    by_hand: HandMadeToken,
    tmp_path_factory: pytest.TempPathFactory,
) -> LocalStack:
    return new_stack(tmp_path_factory.mktemp("adopt"), emulator, "dashboard-only")


def test_wrong_token_fails_in_one_line_and_writes_no_config(dashboard_only, dashboard):
    before = dashboard_only.config_file.read_text()
    dashboard.clear_requests()

    result = adopt(dashboard_only, "not-the-saved-token")

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(
        "scim-setup adopt: scim:existingToken is no longer (or never was) the Dashboard's active"
    )
    assert dashboard_only.config_file.read_text() == before
    assert dashboard.writes() == []


def test_dashboard_only_adoption_writes_config_and_finds_the_first_up_safe(
    dashboard_only, dashboard, by_hand
):
    result = adopt(dashboard_only, by_hand.token)

    assert result.returncode == 0, result.stdout + result.stderr
    for text in (by_hand.id, f"{SIZE} GB", "by hand", "Dashboard-only adoption", "is safe"):
        assert text in result.stdout
    config = plain_config(dashboard_only)
    assert config["scim:existingToken"] == "[secret]"
    assert str(config["scim:accountSizeGb"]) == str(SIZE)
    assert_not_leaked(result.stdout + result.stderr, by_hand.token, "the command's output")
    assert_not_leaked(dashboard_only.config_file.read_text(), by_hand.token, "the config file")


def test_preview_of_the_adopted_config_replaces_no_token(dashboard_only, dashboard, by_hand):
    steps = json.loads(dashboard_only.preview("--json").stdout)["steps"]
    ops = {step["urn"].rsplit("::", 1)[-1]: step["op"] for step in steps}

    assert ops["dashboard-token"] == "create"  # the adoption: nothing is generated
    assert "replace" not in ops.values() and "delete" not in ops.values()
    dashboard.clear_requests()
    dashboard_only.up()
    assert [w for w in dashboard.writes() if w["path"] == "/api/v1/scim/token"] == []
    assert dashboard.scim_status(by_hand.token) == 200


@pytest.fixture(scope="module")
def with_entra(
    pulumi_cli: str,  # noqa: F811
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> LocalStack:
    stack = new_stack(tmp_path_factory.mktemp("adopt-entra"), emulator, "with-entra")
    stack.env.update(graph.environment())
    stack.set_config("entra:application", json.dumps({"existingDisplayName": "Dashboard SCIM"}))
    return stack


def test_entra_adoption_writes_import_ids_for_the_job_and_each_group(with_entra, graph, by_hand):
    assigned = {g: graph.assign(SP_ID, g, USER_ROLE)["id"] for g in (GROUP_A, GROUP_B)}
    graph.assign(SP_ID, USER, USER_ROLE, principal_type="User")

    result = adopt(with_entra, by_hand.token, "--no-preview")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 (stay assigned; not managed here)" in result.stdout
    config = plain_config(with_entra)
    assert config["entra:import"] == {
        "synchronizationJob": job_import_id(SP_ID, JOB),
        "groupAssignments": {g: assignment_import_id(SP_ID, a) for g, a in assigned.items()},
    }
    assert config["entra:assignedGroups"] == [GROUP_A, GROUP_B]
    assert config["entra:startProvisioning"] in (True, "true")
    assert config["scim:existingToken"] == "[secret]"


def test_the_written_entra_config_is_valid_stack_config(with_entra):
    raw = json.loads(with_entra.run("config", "--json", *with_entra.config_args()).stdout)
    values = {key: item.get("value", "[secret]") for key, item in raw.items()}
    secrets = [key for key, item in raw.items() if item["secret"]]
    config = parse_stack_config(values, secrets, {})

    assert config.entra is not None and config.entra.import_ is not None
    assert config.entra.import_.synchronizationJob == job_import_id(SP_ID, JOB)
