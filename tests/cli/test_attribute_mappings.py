"""Attribute mappings as code on a real stack: the emulator as Dashboard, the fake Graph as Entra.

PYTEST_DONT_REWRITE: the stack holds a real SCIM token; a failing assertion must not print it.

The stack runs the real program with a new Entra app, its mappings and filter in `entra:*`
config, through the stand-in azuread plugin (`tests/support/entra_stack.py`), so the synchronization
secret saves the tenant URL and token and the fake Graph's provisionOnDemand reaches the emulator
exactly as Entra would. Both groups are assigned, so only the scoping filter keeps Bob out. The
users are also assigned to the app directly (as the portal allows): the fake Graph's
provisionOnDemand does not yet count an assigned group's members as assigned. The tests run in
order, as an operator would.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import pulumi_cli  # noqa: F401 (fixture)
from tests.support.console_script import SCRIPT
from tests.support.entra_stack import (
    ENGINEERING,
    SALES,
    USERS,
    backup_accounts,
    entra_stack,
    fake_entra,
    job_parts,
    scim_token,
)
from tests.support.leaks import assert_not_leaked

MAIL_MAPPING = {"target": "userName", "source": "mail"}
SALES_ONLY = ["department EQUALS Sales"]
ACCOUNT_SIZE_GB = 75


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with fake_entra() as process:
        process.add_users(*({**user, "assigned": True} for user in USERS))
        yield process


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,  # noqa: F811
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LocalStack]:
    work = tmp_path_factory.mktemp("mappings")
    application = {"displayName": "Backup SCIM"}
    stack = entra_stack(work, emulator, graph, application, [SALES, ENGINEERING], "mappings")
    stack.set_config("scim:accountSizeGb", str(ACCOUNT_SIZE_GB))
    stack.set_object_config("entra:attributeMappings", [MAIL_MAPPING])
    stack.set_object_config("entra:scopingFilter", SALES_ONLY)
    stack.up()
    yield stack  # no `destroy`: the emulator is reset before the next module


def job_of(stack: LocalStack) -> tuple[str, str, str]:
    """(service principal id, job id, `/servicePrincipals/…/jobs/…`) of the stack's job."""
    job_id = stack.outputs()["job_id"]
    return (*job_parts(job_id), job_id)


def live_user_mapping(graph: FakeGraphProcess, job_id: str) -> dict[str, Any]:
    response = graph.graph("GET", f"{job_id}/schema")
    response.raise_for_status()
    rules = response.json()["synchronizationRules"]
    return next(m for m in rules[0]["objectMappings"] if m["sourceObjectName"] == "User")


def source_of(mapping: dict[str, Any], target: str) -> str | None:
    item = next(i for i in mapping["attributeMappings"] if i["targetAttributeName"] == target)
    return (item.get("source") or {}).get("expression")


def schema_writes(graph: FakeGraphProcess) -> int:
    return sum(
        1 for r in graph.requests() if r["method"] == "PUT" and r["path"].endswith("/schema")
    )


def provision(stack: LocalStack, user: str) -> subprocess.CompletedProcess[str]:
    argv = [str(SCRIPT), "provision-on-demand", "--user", user, "--stack", stack.stack]
    return subprocess.run(
        [*argv, "--config-file", str(stack.config_file), "--json"],
        cwd=stack.project_dir,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_up_writes_the_declared_mapping_and_filter_and_keeps_the_rest(stack, graph):
    mapping = live_user_mapping(graph, job_of(stack)[2])

    assert source_of(mapping, "userName") == "[mail]"
    assert source_of(mapping, "displayName") == "[displayName]"
    clauses = mapping["scope"]["groups"][0]["clauses"]
    assert clauses == [
        {
            "sourceOperandName": "department",
            "operatorName": "EQUALS",
            "targetOperand": {"values": ["Sales"]},
        }
    ]


def test_a_second_up_writes_nothing(stack, graph):
    writes = schema_writes(graph)

    stack.up()

    assert schema_writes(graph) == writes


def test_provision_on_demand_creates_the_account_with_the_mail_as_login_and_the_quota(
    stack, emulator
):
    result = provision(stack, USERS[0]["userPrincipalName"])

    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["result"] == "Success"
    assert [s["type"] for s in outcome["steps"]] == [
        "Import",
        "Scoping",
        "Matching",
        "Processing",
        "Export",
    ]
    assert outcome["backup_account"]["user_name"] == "ada.lovelace@contoso.com"
    account = backup_accounts(emulator)["ada.lovelace@contoso.com"]
    assert account["quotaGb"] == ACCOUNT_SIZE_GB
    assert account["active"] is True


def test_provision_on_demand_prints_every_step_and_the_account(stack):
    argv = [str(SCRIPT), "provision-on-demand", "--user", USERS[0]["id"], "--stack", stack.stack]
    result = subprocess.run(
        [*argv, "--config-file", str(stack.config_file)],
        cwd=stack.project_dir,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    for text in ("Import user", "Determine if user is in scope", "Perform action"):
        assert text in result.stdout
    assert "Backup account: ada.lovelace@contoso.com, 75 GB, active" in result.stdout
    assert "will be updated" in result.stdout  # the second run matches the first one's account


def test_a_user_outside_the_scoping_filter_is_skipped_with_entras_reason(stack, emulator):
    result = provision(stack, USERS[1]["userPrincipalName"])

    assert result.returncode == 1
    outcome = json.loads(result.stdout)
    assert outcome["result"] == "Skipped"
    scoping = outcome["steps"][-1]
    assert (scoping["type"], scoping["status"]) == ("Scoping", "Skipped")
    assert scoping["details"]["SkipReason"] == "NotEffectivelyEntitled"
    assert "did not pass a scoping filter" in scoping["description"]
    assert json.loads(scoping["details"]["ScopeEvaluationResult"]) == {
        "department EQUALS Sales": False
    }
    assert not any("bob" in name for name in backup_accounts(emulator))


def test_a_portal_edit_is_drift_that_preview_shows_and_up_restores(stack, graph):
    graph.edit_mapping(*job_of(stack)[:2], "userName", "[userPrincipalName]")

    plain = stack.preview("--diff")
    refreshed = stack.preview("--refresh", "--diff")
    stack.up()

    assert "~ 1 to update" in plain.stdout
    assert "userPrincipalName" in refreshed.stdout
    assert source_of(live_user_mapping(graph, job_of(stack)[2]), "userName") == "[mail]"


def test_with_the_template_default_the_login_is_the_upn(stack, graph, emulator):
    # The portal's "restore defaults":
    graph.graph("DELETE", f"{job_of(stack)[2]}/schema").raise_for_status()

    result = provision(stack, USERS[2]["userPrincipalName"])
    stack.up()

    assert result.returncode == 0, result.stderr
    assert "carol@contoso.onmicrosoft.com" in backup_accounts(emulator)
    assert "carol.shaw@contoso.com" not in backup_accounts(emulator)
    assert source_of(live_user_mapping(graph, job_of(stack)[2]), "userName") == "[mail]"


def test_a_mapping_to_an_undeclared_attribute_fails_preview_naming_the_entry(stack, graph):
    bad = [MAIL_MAPPING, {"target": "nickname2", "source": "mailNickname"}]
    stack.set_config("entra:attributeMappings", bad)  # type: ignore[arg-type]
    writes = schema_writes(graph)
    try:
        result = stack.preview(check=False)
    finally:
        stack.set_config("entra:attributeMappings", [MAIL_MAPPING])  # type: ignore[arg-type]

    assert result.returncode != 0
    lines = [line for line in result.stdout.splitlines() if "entra:attributeMappings[1]" in line]
    assert lines  # the progress line and the diagnostic: the whole message on one line
    for line in lines:
        assert "'nickname2' is not an attribute the Dashboard's SCIM endpoint declares" in line
        assert line.rstrip().endswith("fix or remove the entry")
        assert "property mappings value" not in line
    assert "Traceback" not in result.stdout + result.stderr
    assert schema_writes(graph) == writes


def test_no_secret_reaches_the_cli_output_or_the_state(stack, graph, emulator):
    token = scim_token(stack)
    texts = {
        "provision-on-demand": provision(stack, USERS[0]["id"]).stdout,
        "the pulumi CLI's output": stack.transcript(),
        "the stack's state": stack.export(),
    }
    for where, text in texts.items():
        for secret in (token, graph.client_secret, emulator.admin_token):
            assert_not_leaked(text, secret, where)


def test_removing_the_mappings_from_config_restores_the_template_default(stack, graph):
    stack.remove_config("entra:attributeMappings")
    stack.remove_config("entra:scopingFilter")

    stack.up()

    mapping = live_user_mapping(graph, job_of(stack)[2])
    assert source_of(mapping, "userName") == "[userPrincipalName]"
    assert mapping["scope"] is None
