"""`scim-setup adopt` on real stacks: the emulator as a Dashboard set up by hand, the fake Graph
as the Entra app configured in the portal.

PYTEST_DONT_REWRITE: these tests hold a real SCIM token; a failing assertion must not print it.

The Dashboard-only stack runs the whole command, `pulumi preview` included, then `pulumi up`. The
stack with an Entra app writes its config only (`--no-preview`) and checks what it wrote; the
whole command with its preview on the azuread stand-in is tests/engine/test_entra_adoption.py. The
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
from tests.support.app_roles import NON_GALLERY_ROLES, USER_ROLE
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


@pytest.fixture(scope="module")
def by_hand(emulator: EmulatorProcess) -> HandMadeToken:
    return Dashboard(emulator.url, emulator.admin_token).set_up_by_hand(SIZE)


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    """The portal's work: the app, its running job, two groups and one user assigned."""
    with FakeGraphProcess() as process:
        process.add_service_principal(
            SP_ID, APP_ID, "Dashboard SCIM", APPLICATION_ID, NON_GALLERY_ROLES
        )
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


def entra_stack(
    work: Path, emulator: EmulatorProcess, graph: FakeGraphProcess, name: str, sp_id: str
) -> LocalStack:
    stack = new_stack(work, emulator, name)
    stack.env.update(graph.environment())
    stack.set_config("entra:application", json.dumps({"objectId": sp_id}))
    return stack


def test_adoption_keeps_the_scope_flag_and_notices_entra_saved(
    pulumi_cli,  # noqa: F811
    emulator,
    graph,
    by_hand,
    tmp_path,
):
    """Upstream `synchronizationSecretResourceRead`: Graph lists every saved key, the token
    masked as `*`; adopt turns what Entra uses into config, so the first `up` sends the same."""
    sp_id = "77777777-7777-4777-8777-777777777777"
    graph.add_service_principal(sp_id, "88888888-8888-4888-8888-888888888888", "Saved", None)
    graph.add_job(sp_id, f"scim.00000000000000000000000000000077.{sp_id}", "Active")
    graph.overwrite_secrets(
        sp_id,
        {
            "BaseAddress": "https://old.example.com/scim/v2?aadOptscim062020",
            "SecretToken": by_hand.token,
            "SyncAll": "true",
            "SyncNotificationSettings": '{"Enabled":true,"Recipients":"ops@example.com",'
            '"DeleteThresholdEnabled":true,"DeleteThresholdValue":250}',
        },
    )
    stack = entra_stack(tmp_path, emulator, graph, "saved-keys", sp_id)

    result = adopt(stack, by_hand.token, "--no-preview")

    assert result.returncode == 0, result.stdout + result.stderr
    config = plain_config(stack)
    assert config["entra:syncAll"] in (True, "true")
    assert config["entra:compliantPatch"] in (True, "true")
    assert config["entra:notificationEmail"] == "ops@example.com"
    assert str(config["entra:deleteThreshold"]) == "250"
    assert config["entra:import"]["syncAll"] in (True, "true")  # type: ignore[index]
    assert "Warning: Entra's saved tenant URL https://old.example.com/scim/v2 is not" in " ".join(
        result.stdout.split()
    )
    assert_not_leaked(result.stdout + result.stderr, by_hand.token, "the command's output")


def test_a_saved_key_the_stack_would_not_send_is_refused_in_one_line(
    pulumi_cli,  # noqa: F811
    emulator,
    graph,
    by_hand,
    tmp_path,
):
    """Graph merges keys on PUT and upstream `synchronizationSecretResourceCreate` waits until
    Graph lists as many keys as it sent: an extra saved key would time out every `up`."""
    sp_id = "99999999-9999-4999-8999-999999999999"
    graph.add_service_principal(sp_id, "12121212-1212-4212-8212-121212121212", "Extra", None)
    graph.add_job(sp_id, f"scim.00000000000000000000000000000099.{sp_id}", "Active")
    graph.overwrite_secrets(sp_id, {"BaseAddress": emulator.url, "SkipOutOfScopeDeletions": "true"})
    stack = entra_stack(tmp_path, emulator, graph, "extra-key", sp_id)
    before = stack.config_file.read_text()

    result = adopt(stack, by_hand.token, "--no-preview")

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "hold SkipOutOfScopeDeletions, which scim-setup does not send" in line
    assert '"key": "SkipOutOfScopeDeletions", "value": ""' in line
    assert stack.config_file.read_text() == before


def test_a_job_of_another_template_is_refused_in_adopt_not_in_the_import(
    pulumi_cli,  # noqa: F811
    emulator,
    graph,
    by_hand,
    tmp_path,
):
    """Upstream `synchronization_job_resource.go`: `template_id` forces replacement, so a legacy
    `customappsso` job cannot be imported as the component's `scim` job."""
    sp_id = "13131313-1313-4313-8313-131313131313"
    graph.add_service_principal(sp_id, "14141414-1414-4414-8414-141414141414", "Legacy", None)
    path = f"/servicePrincipals/{sp_id}/synchronization/jobs"
    graph.graph("POST", path, {"templateId": "customappsso"}).raise_for_status()
    stack = entra_stack(tmp_path, emulator, graph, "legacy-job", sp_id)

    result = adopt(stack, by_hand.token, "--no-preview")

    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "uses template 'customappsso', not 'scim'" in line
    assert "entra:application.displayName" in line
