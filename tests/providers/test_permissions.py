"""The Graph permissions, stated once (`providers.graph.permissions`, docs/permissions.md), and
the China cloud, where Graph has no `validateCredentials` and no `start`.

PYTEST_DONT_REWRITE: these tests hold a client secret and SCIM tokens; a failing assertion must
not print them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from providers.graph.connection_test import EntraConnectionTestProvider
from providers.graph.job_control import START, ProvisioningJobControlProvider
from providers.graph.permissions import CALLS, READ_ONLY, REQUIRED, missing_permissions_advice
from scim_setup.emulator.graph_process import FakeGraphProcess
from tests.providers.conftest import configure
from tests.support.dashboard import Dashboard
from tests.support.graph_config import azuread_config

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "permissions.md").read_text()
CHINA = {"azuread:environment": "china"}
SP_ID = "77777777-7777-4777-8777-777777777777"


@pytest.fixture
def job(graph_env: FakeGraphProcess, dashboard: Dashboard) -> str:
    """A paused job whose saved credentials work: SCIM on in the emulator, its token saved."""
    dashboard.put_settings(enabled=True, account_size_gb=50)
    token = dashboard.regenerate_token()["token"]
    job_id = f"scim.{'7' * 32}.{SP_ID}"
    graph_env.add_job(SP_ID, job_id, "Paused", schedule="Paused")
    saved = {"BaseAddress": dashboard.settings()["tenantUrl"], "SecretToken": token}
    graph_env.overwrite_secrets(SP_ID, saved)
    return f"/servicePrincipals/{SP_ID}/synchronization/jobs/{job_id}"


def control_props(job: str) -> dict[str, Any]:
    """The job control's inputs; its credentials are never written in China (nothing to check)."""
    return {
        "job_id": job,
        "credentials": [{"key": "SecretToken", "value": "unused"}],
        "start_provisioning": True,
        "sync_all": False,
        "portal_url": None,
        "plan": [],
        "attention": None,
    }


def calls_to(graph: FakeGraphProcess, job: str, action: str) -> list[dict[str, Any]]:
    return [r for r in graph.requests() if r["path"].endswith(f"{job}/{action}")]


def test_the_docs_table_is_the_list_in_code():
    rows = [line for line in DOC.splitlines() if line.startswith("| `")]

    assert rows == [
        f"| `{c.call}` | {c.made_by} | `{c.least_privileged}` | `{c.covered_by}` | "
        f"[{c.page}](https://learn.microsoft.com/graph/api/{c.page}) |"
        for c in CALLS
    ]
    granted = DOC.split("\n## ", 1)[0]
    assert [f"- `{name}`" for name in REQUIRED] == [
        line for line in granted.splitlines() if line.startswith("- `")
    ]


def test_every_call_is_covered_by_a_required_permission():
    for call in CALLS:
        covering = {name.strip() for name in call.covered_by.split(",")}
        assert covering <= set(REQUIRED), call.call
    assert {"Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All"} <= set(REQUIRED)
    assert "Synchronization.ReadWrite.All" in REQUIRED and set(READ_ONLY).isdisjoint(REQUIRED)


def test_the_readme_links_the_table_and_a_403_names_the_list():
    readme = (ROOT / "README.md").read_text()

    assert "(docs/permissions.md)" in readme
    assert all(name in missing_permissions_advice() for name in REQUIRED)


def test_no_doc_claims_the_secret_has_no_importer():
    texts = [
        (ROOT / "README.md").read_text(),
        *(p.read_text() for p in (ROOT / "docs").glob("*.md")),
    ]

    assert not [t for t in texts if re.search(r"has no importer|cannot be imported \(", t)]


def test_china_skips_test_connection_with_a_warning(graph_env, job):
    provider = configure(EntraConnectionTestProvider(), azuread_config(graph_env, **CHINA))

    outs = provider.create({"job_id": job, "tenant_url": "t", "token": "x"}).outs or {}

    assert outs["result"] == "skipped"
    assert "china cloud has no synchronizationJob validateCredentials" in outs["message"]
    assert calls_to(graph_env, job, "validateCredentials") == []


def test_china_does_not_start_a_paused_job_and_does_not_fail(graph_env, job):
    control = configure(ProvisioningJobControlProvider(), azuread_config(graph_env, **CHINA))
    olds = control_props(job) | {"done": [], "checked_at": "2026-01-01T00:00:00Z"}

    checked = control.check(olds, control_props(job))
    outs = control.update(job, olds, checked.inputs).outs or {}

    assert checked.inputs["plan"] == [START]  # what it would do in any other cloud
    assert outs["done"] == []
    assert calls_to(graph_env, job, "start") == []
    assert calls_to(graph_env, job, "validateCredentials") == []
