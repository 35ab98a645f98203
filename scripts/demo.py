"""`make demo`: both steps of the setup in one `pulumi up`, then a real provisioning cycle.

Starts the local Dashboard emulator and the fake Microsoft Graph (which runs a provisioning cycle
of every started job every few seconds, as Entra's provisioning service does every 40 minutes),
puts the azuread stand-in plugin first on the stack's PATH (docs/azuread-stand-in.md), and defines
a group of three users in the fake directory. Then `pulumi up` on a local-backend stack of this
project with an `entra` section: the Dashboard step (SCIM on, account size, token, Test
Connection), a new enterprise application, the group assigned, the tenant URL and token saved in
Entra, Entra's Test Connection, the provisioning job started. The job's next cycle provisions the
group's users; the demo waits for them (bounded), prints them as backup accounts and prints
`scim-setup status`, then destroys the stack. The SCIM token is never printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from providers.dashboard.client import BackupAccount, DashboardClient
from scim_setup.emulator.azuread import PLUGIN_DIR
from scim_setup.emulator.azuread.timing import TIME_SCALE_ENV
from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, project_copy

ROOT = Path(__file__).resolve().parents[1]
WORK_DIR = ROOT / ".demo"
ACCOUNT_SIZE_GB = "100"
CYCLE_INTERVAL_S = "3"
"""The fake Graph's provisioning cycle period (Entra's is 40 minutes)."""
PROVISIONING_DEADLINE_S = 60.0
AZUREAD_TIME_SCALE = "0.1"
"""The stand-in's waits (Graph's replication polls) at a tenth of the real provider's: long
enough for the fake Graph's replication lag of a new service principal, short enough for a demo."""

GROUP_ID = "de30a000-0000-4000-8000-0000000000a1"
USERS = [
    {
        "id": f"de30a000-0000-4000-8000-00000000000{n}",
        "userPrincipalName": f"{nick}@contoso.onmicrosoft.com",
        "mail": f"{nick}@contoso.com",
        "mailNickname": nick,
        "displayName": f"{given} {surname}",
        "givenName": given,
        "surname": surname,
        "assigned": False,
    }
    for n, (nick, given, surname) in enumerate(
        [("ada", "Ada", "Lovelace"), ("grace", "Grace", "Hopper"), ("alan", "Alan", "Turing")],
        start=1,
    )
]
GROUP = {"id": GROUP_ID, "displayName": "Backup users", "members": [u["id"] for u in USERS]}
OUTSIDER = {
    "id": "de30a000-0000-4000-8000-000000000009",
    "userPrincipalName": "eve@contoso.onmicrosoft.com",
    "mailNickname": "eve",
    "displayName": "Eve Outsider",
    "assigned": False,
}
"""In the directory but not in the group: provisioning leaves her out."""


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def entra_stack(dashboard: EmulatorProcess, graph: FakeGraphProcess) -> LocalStack:
    """A stack of this project with the Dashboard and Entra config an operator would set."""
    stack = LocalStack(project_copy(WORK_DIR), WORK_DIR, "demo")
    stack.env.update(graph.environment())
    stack.env["PATH"] = os.pathsep.join([str(PLUGIN_DIR), stack.env.get("PATH", "")])
    stack.env[TIME_SCALE_ENV] = AZUREAD_TIME_SCALE
    stack.init()
    stack.set_config("dashboard:url", dashboard.url)
    stack.set_config("dashboard:apiToken", dashboard.admin_token, secret=True)
    stack.set_config("scim:accountSizeGb", ACCOUNT_SIZE_GB)
    stack.set_object_config("entra:application", {"displayName": "Backup SCIM (demo)"})
    stack.set_object_config("entra:assignedGroups", [GROUP_ID])
    return stack


def print_up(stack: LocalStack) -> None:
    """The resources `pulumi up` created, one line each, and the engine's summary."""
    output = stack.up("--suppress-progress").stdout
    summary = output[output.find("Resources:") :].split("\n\n", 1)[0]
    for resource in stack.resources():
        kind = resource["type"]
        if kind == "pulumi:pulumi:Stack" or kind.startswith(("pulumi:providers:", "scim-setup:")):
            continue
        print(f"  + {kind.rsplit(':', 1)[-1]:<24} {resource['urn'].rsplit('::', 1)[-1]}")
    print(summary.strip())


def print_outputs(outputs: dict[str, Any]) -> None:
    status = outputs["provisioning_status"] or {}
    print(f"Tenant URL:                {outputs['tenant_url']}")
    print(f"Token id:                  {outputs['token_id']} (the token itself went to Entra only)")
    print(f"Dashboard Test Connection: {outputs['test_connection']['result']}")
    print(f"Entra Test Connection:     {outputs['entra_test_connection']['result']}")
    print(f"Provisioning job:          {outputs['job_id'].rsplit('/', 1)[-1]}, {status['code']}")


def wait_for_accounts(client: DashboardClient, expected: set[str]) -> list[BackupAccount]:
    """Poll the Dashboard until the group's users have backup accounts, at most
    `PROVISIONING_DEADLINE_S`."""
    deadline = time.monotonic() + PROVISIONING_DEADLINE_S
    while True:
        accounts = client.list_backup_accounts()
        if expected <= {a.user_name for a in accounts}:
            return accounts
        if time.monotonic() > deadline:
            raise SystemExit(
                f"demo: no provisioning cycle created backup accounts for {sorted(expected)} "
                f"within {PROVISIONING_DEADLINE_S:.0f} s; see {WORK_DIR}/graph-data/emulator.log"
            )
        time.sleep(1)


def print_backup_accounts(accounts: list[BackupAccount]) -> None:
    print(f"  {'userName':<32}{'quotaGb':>8}  active")
    for account in accounts:
        print(f"  {account.user_name:<32}{account.quota_gb:>8}  {account.active}")


def print_status(stack: LocalStack) -> None:
    """`scim-setup status`, as an operator would run it in the project directory."""
    command = [sys.executable, "-m", "scim_setup.cli", "status", "--stack", stack.stack]
    result = subprocess.run(command, cwd=stack.project_dir, env=stack.env, check=False)
    print(f"(exit code {result.returncode})")


def print_destroy(stack: LocalStack) -> None:
    output = stack.destroy("--suppress-progress").stdout
    print(output[output.find("Resources:") :].split("\n\n", 1)[0].strip())


def main() -> int:
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    step("Starting the Dashboard emulator and the fake Microsoft Graph")
    with (
        EmulatorProcess(WORK_DIR / "emulator-data") as dashboard,
        FakeGraphProcess(
            WORK_DIR / "graph-data", extra_args=["--cycle-interval", CYCLE_INTERVAL_S]
        ) as graph,
    ):
        print(f"Dashboard at {dashboard.url}; Graph at {graph.url}")
        print(f"Graph runs a provisioning cycle of every started job every {CYCLE_INTERVAL_S} s")
        graph.add_users(*USERS, OUTSIDER)
        graph.add_groups(GROUP)
        names = ", ".join(str(u["userPrincipalName"]) for u in USERS)
        print(f"Directory group '{GROUP['displayName']}': {names}")
        stack = entra_stack(dashboard, graph)
        try:
            step(
                "pulumi up: Dashboard (SCIM on, account size, token, Test Connection) and Entra "
                "(enterprise app, group, secret, Test Connection, job started)"
            )
            print_up(stack)
            print_outputs(stack.outputs())
            step("Waiting for the job's provisioning cycle")
            client = DashboardClient(dashboard.url, dashboard.admin_token)
            expected = {str(u["userPrincipalName"]) for u in USERS}
            accounts = wait_for_accounts(client, expected)
            print_backup_accounts(accounts)
            outsider = str(OUTSIDER["userPrincipalName"])
            if outsider not in {a.user_name for a in accounts}:
                print(f"  ({outsider} is not in the group: no account)")
            step("pulumi refresh --run-program, then scim-setup status (later cycles: nothing new)")
            stack.refresh("--run-program", "--suppress-progress")
            print_status(stack)
            step("pulumi destroy (delete the app, revoke the token, switch SCIM off)")
            sp_id = stack.outputs()["service_principal_object_id"]
            print_destroy(stack)
            settings = client.get_settings()
            gone = graph.graph("GET", f"/servicePrincipals/{sp_id}").status_code == 404
            print(
                f"Dashboard: SCIM enabled={settings.enabled}, active token: "
                f"{settings.token.id if settings.token else 'none'}; "
                f"Entra: enterprise app {'deleted' if gone else 'still there'}"
            )
            client.close()
        finally:
            stack.remove()
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    step("Done: the emulator and the fake Graph are stopped and the demo stack removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
