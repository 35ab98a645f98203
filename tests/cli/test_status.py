"""`scim-setup status` on a real stack: the emulator as Dashboard, the fake Graph as Entra.

PYTEST_DONT_REWRITE: the stack holds a real SCIM token; a failing assertion must not print it.

The stack runs the real program with a new Entra app, through the stand-in azuread plugin
(`tests/support/entra_stack.py`). The tests run in order, as an operator would: `up`, a provisioning
cycle, `refresh`, `status` (healthy), the job falls into quarantine, `refresh`, `status`.
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
    SALES,
    entra_stack,
    fake_entra,
    job_parts,
    provisioning_cycle,
    scim_token,
)
from tests.support.leaks import assert_not_leaked


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with fake_entra() as process:
        yield process


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,  # noqa: F811
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LocalStack]:
    work = tmp_path_factory.mktemp("status")
    stack = entra_stack(work, emulator, graph, {"displayName": "Backup SCIM"}, [SALES], "status")
    stack.set_config("scim:accountSizeGb", "75")
    stack.up()
    provisioning_cycle(graph, stack.outputs()["job_id"])  # a last cycle for status to show
    stack.refresh("--run-program")
    yield stack  # no `destroy`: the emulator is reset before the next module


def status(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "status", "--stack", stack.stack, *args],
        cwd=stack.project_dir,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def checks(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    report = json.loads(result.stdout)
    return {c["name"]: (c["state"], c["value"]) for c in report["checks"]} | {
        "healthy": report["healthy"],
        "problems": report["problems"],
    }


def test_healthy_setup_prints_the_table_and_exits_zero(stack):
    result = status(stack)

    assert result.returncode == 0, result.stderr
    for row in (
        "SCIM enabled",
        "Account size",
        "75 GB",
        "Token",
        "Test Connection (Dashboard)",
        "Test Connection (Entra)",
        "Provisioning job",
        "Active",
        "Last cycle",
        "Succeeded",
        "Portal",
        "healthy",
    ):
        assert row in result.stdout
    assert "Quarantine" not in result.stdout


def test_healthy_setup_as_json(stack):
    result = status(stack, "--json")

    assert result.returncode == 0, result.stderr
    found = checks(result)
    assert found["healthy"] is True
    assert found["problems"] == []
    assert found["SCIM enabled"] == ("ok", "yes")
    assert found["Account size"] == ("info", "75 GB")
    assert found["Test Connection (Dashboard)"][0] == "ok"
    assert found["Test Connection (Dashboard)"][1].startswith("passed ")
    assert found["Test Connection (Entra)"][0] == "ok"
    assert found["Provisioning job"] == ("ok", "Active")
    assert found["Last cycle"][1].startswith("Succeeded ")
    assert "last used" in found["Token"][1]


def test_quarantined_job_after_refresh_fails_with_the_reason(stack, graph):
    graph.add_job(*job_parts(stack.outputs()["job_id"]), "Quarantine")

    stack.refresh("--run-program")
    result = status(stack, "--json")

    assert result.returncode == 1
    found = checks(result)
    assert found["healthy"] is False
    assert found["Provisioning job"] == ("fail", "Quarantine, 3 failed cycles in a row")
    state, quarantine = found["Quarantine"]
    assert state == "fail"
    assert quarantine.startswith("EncounteredQuarantineException; since ")
    assert found["Last cycle"][0] == "fail"
    assert found["problems"][0] == "Provisioning job: Quarantine, 3 failed cycles in a row"


def test_quarantined_table_names_the_reason_and_exits_one(stack):
    result = status(stack)

    assert result.returncode == 1
    assert "EncounteredQuarantineException" in result.stdout
    assert "problem(s)" in result.stdout


def test_unknown_stack_is_one_line_on_stderr(stack):
    result = subprocess.run(
        [str(SCRIPT), "status", "--stack", "no-such-stack"],
        cwd=stack.project_dir,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert result.stderr.startswith("scim-setup status: `pulumi stack output` failed")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_no_secret_reaches_the_status_output_or_the_cli(stack, graph, emulator):
    token = scim_token(stack)
    texts = {"status output": status(stack).stdout + status(stack, "--json").stdout}
    texts["the pulumi CLI's output"] = stack.transcript()
    texts["the stack's state"] = stack.export()
    for where, text in texts.items():
        for secret in (token, graph.client_secret, emulator.admin_token):
            assert_not_leaked(text, secret, where)
