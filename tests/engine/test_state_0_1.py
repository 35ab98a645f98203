"""A stack written by version 0.1 keeps working after the providers moved (`dashboard/`, `graph/`).

PYTEST_DONT_REWRITE: the stack holds a real SCIM token; a failing assertion must not print it.

Pulumi keeps each dynamic provider in state pickled by its module's name, and `refresh` and
`destroy` unpickle the one in state (`providers.scim_settings`, `providers.entra_connection_test`,
...), not the program's. `data/state-0.1/` is such a state, written by version 0.1 (`pulumi stack
export`), with the emulator's database from the same run: the Dashboard step, Entra's Test
Connection and the job's status against the fake Graph. The port of the emulator that wrote it is
`{dashboard_url}` there, filled in with this run's.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import project_dir, pulumi_cli  # noqa: F401 (fixture)
from tests.support.dashboard import Dashboard

DATA = Path(__file__).parent / "data" / "state-0.1"
PASSPHRASE = "legacy-fixture"
"""The fixture stack's passphrase (its secrets are encrypted with it, as an operator's are)."""
ADMIN_TOKEN = "adm-legacy-fixture"
"""The admin API token the fixture's emulator ran with, kept (encrypted) in the fixture's config and
in its state's provider inputs, which `refresh` and `destroy` use as they are."""
SP_ID = "33333333-3333-4333-8333-333333333333"
JOB = f"scim.0123456789abcdef0123456789abcdef.{SP_ID}"
JOB_ID = f"/servicePrincipals/{SP_ID}/synchronization/jobs/{JOB}"
"""The fake Graph's job the fixture's state points at (its Entra-side resources' `job_id`)."""

SP_ID = "33333333-3333-4333-8333-333333333333"
JOB = f"scim.0123456789abcdef0123456789abcdef.{SP_ID}"
JOB_ID = f"/servicePrincipals/{SP_ID}/synchronization/jobs/{JOB}"
"""The fake Graph's job the fixture's state names (the stack's program of version 0.1)."""

PROGRAM = f'''
import pulumi

from components.dashboard_scim import DashboardScim, DashboardScimArgs
from providers.graph.credentials_check import EntraConnectionTest, EntraConnectionTestArgs
from providers.graph.job_status import ProvisioningJobStatus, ProvisioningJobStatusArgs

dashboard = DashboardScim("dashboard", DashboardScimArgs(account_size_gb=75))
test = EntraConnectionTest(
    "entra-test-connection",
    EntraConnectionTestArgs(
        job_id="{JOB_ID}", tenant_url=dashboard.tenant_url, token=dashboard.token
    ),
)
ProvisioningJobStatus(
    "job-status",
    ProvisioningJobStatusArgs(job_id="{JOB_ID}"),
    pulumi.ResourceOptions(depends_on=[test]),
)
pulumi.export("tenant_url", dashboard.tenant_url)
'''


OLD_MODULES = (
    "providers.scim_settings",
    "providers.scim_token",
    "providers.scim_connection_test",
    "providers.entra_connection_test",
    "providers.provisioning_job_status",
)
"""Where version 0.1 kept the providers; each is now a module that imports the new one."""


def stored_provider_modules(stack: LocalStack) -> set[str]:
    """The 0.1 modules that the state's pickled providers (`__provider` outputs) name."""
    exported = json.loads(stack.run("stack", "export", "--show-secrets").stdout)
    found: set[str] = set()
    for resource in exported["deployment"]["resources"]:
        provider = (resource.get("outputs") or {}).get("__provider")
        if isinstance(provider, dict):  # a secret, shown as its plaintext JSON
            provider = json.loads(provider["plaintext"])
        if isinstance(provider, str):
            pickled = base64.b64decode(provider)
            found |= {module for module in OLD_MODULES if module.encode() in pickled}
    return found


def change_counts(output: str) -> dict[str, int]:
    """The changes `preview --json` (one document) or `up --json` (events) reports, but `same`."""
    if output.lstrip().startswith("{\n"):
        summary = json.loads(output).get("changeSummary") or {}
    else:
        events = [json.loads(line) for line in output.splitlines() if line.strip()]
        final = next(event["summaryEvent"] for event in events if "summaryEvent" in event)
        summary = final.get("resourceChanges") or {}
    return {op: count for op, count in summary.items() if op != "same" and count}


def test_a_0_1_state_previews_refreshes_updates_and_destroys(pulumi_cli, tmp_path):  # noqa: F811
    data_dir = tmp_path / "emulator-data"
    data_dir.mkdir()
    shutil.copy(DATA / "emulator.sqlite3", data_dir / "emulator.sqlite3")
    with (
        EmulatorProcess(data_dir, test_hooks=True, admin_token=ADMIN_TOKEN) as emulator,
        FakeGraphProcess() as graph,
    ):
        graph.add_job(SP_ID, JOB, "Active")
        dashboard = Dashboard(emulator.url, emulator.admin_token)
        token_before = dashboard.settings()["token"]["id"]
        stack = LocalStack(project_dir(tmp_path, PROGRAM), tmp_path, "legacy", PASSPHRASE)
        stack.env.update(graph.environment())
        fill_in = DATA.joinpath("Pulumi.stack.yaml").read_text()
        stack.config_file.write_text(fill_in.replace("{dashboard_url}", emulator.url))
        deployment = tmp_path / "deployment.json"
        fill_in = DATA.joinpath("deployment.json").read_text()
        deployment.write_text(fill_in.replace("{dashboard_url}", emulator.url))
        stack.run("stack", "init", "--secrets-provider", "passphrase")
        stack.run("stack", "import", "--file", str(deployment))

        assert change_counts(stack.preview("--json").stdout) == {}
        stack.refresh()
        assert change_counts(stack.up("--json").stdout) == {}
        assert dashboard.settings()["token"]["id"] == token_before
        # Neither refresh nor an `up` without changes stores the providers anew: destroy needs
        # the 0.1 modules (`providers/scim_settings.py`, ...) as long as such a stack exists.
        assert stored_provider_modules(stack) == set(OLD_MODULES)

        stack.destroy()

        assert stack.resources() == []
        settings = dashboard.settings()
        assert settings["enabled"] is False
        assert settings["token"] is None
