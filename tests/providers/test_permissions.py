"""The Graph permissions, stated once (`providers.graph.permissions`, docs/permissions.md), and
the China cloud, where Graph has no `validateCredentials` and no `start`.

PYTEST_DONT_REWRITE: these tests hold a client secret and SCIM tokens; a failing assertion must
not print them.
"""

from __future__ import annotations

import re
from pathlib import Path

from providers.graph.credentials_check import EntraConnectionTestProvider
from providers.graph.job_control import ProvisioningJobControlProvider
from providers.graph.permissions import CALLS, READ_ONLY, REQUIRED, missing_permissions_advice
from tests.providers import test_job_control as job_control
from tests.providers.conftest import configure
from tests.providers.test_graph_client import azuread_config
from tests.providers.test_job_control import actions_on, deployed, new_job, props

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "permissions.md").read_text()
CHINA = {"azuread:environment": "china"}

graph = job_control.graph
graph_env = job_control.graph_env
scim = job_control.scim


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


def test_china_skips_test_connection_with_a_warning(graph_env, scim):
    sp_id, job = new_job(graph_env, "Active")
    graph_env.overwrite_secrets(sp_id, scim)
    provider = configure(EntraConnectionTestProvider(), azuread_config(graph_env, **CHINA))

    outs = provider.create({"job_id": job, "tenant_url": "t", "token": "x"}).outs or {}

    assert outs["result"] == "skipped"
    assert "china cloud has no synchronizationJob validateCredentials" in outs["message"]
    assert not [r for r in graph_env.requests() if r["path"].endswith(f"{job}/validateCredentials")]


def test_china_does_not_start_a_paused_job_and_does_not_fail(graph_env, scim):
    sp_id, job = new_job(graph_env, "Paused", schedule="Paused")
    graph_env.overwrite_secrets(sp_id, scim)
    control = configure(ProvisioningJobControlProvider(), azuread_config(graph_env, **CHINA))
    olds = deployed(graph_env, job, scim)

    checked = control.check(olds, props(job, scim))
    outs = control.update(job, olds, checked.inputs).outs or {}

    assert checked.inputs["plan"] == ["start"]  # what elsewhere would be done
    assert outs["done"] == []
    assert actions_on(graph_env, job) == []
    assert not [r for r in graph_env.requests() if job in r["path"] and "validate" in r["path"]]
