"""`make demo`: the whole Dashboard step with `pulumi up`, then Entra's calls, on one machine.

Starts the local Dashboard emulator, runs `pulumi up` on a local-backend stack of this project
(Dashboard step only: real Entra cannot reach a local server) including its Test Connection,
replays what Entra ID's provisioning service sends with the token from the stack, prints the
backup accounts it created and `scim-setup status`, and tears everything down again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from providers.dashboard.client import DashboardClient
from scim_setup.emulator.entra_replay import EntraReplay
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack

ROOT = Path(__file__).resolve().parents[1]
WORK_DIR = ROOT / ".demo"
ACCOUNT_SIZE_GB = "100"


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def provision(tenant_url: str, token: str) -> None:
    """What Entra does after Save + Start: Test Connection, create two users, disable one."""
    entra = EntraReplay(tenant_url, token)
    try:
        probe = entra.test_connection()
        print(f"Test Connection: HTTP {probe.status_code}, {probe.json()['totalResults']} results")
        ada = entra.create_user("ada@example.com", "ada", "Ada", "Lovelace", "ada@example.com")
        grace = entra.create_user(
            "grace@example.com", "grace", "Grace", "Hopper", "grace@example.com"
        )
        print(f"POST /Users ada: HTTP {ada.status_code}; grace: HTTP {grace.status_code}")
        disabled = entra.disable_user(grace.json()["id"])
        print(f"PATCH active=False for grace: HTTP {disabled.status_code}")
    finally:
        entra.close()


def print_backup_accounts(client: DashboardClient) -> None:
    print(f"{'userName':<22}{'quotaGb':>8}  active")
    for account in client.list_backup_accounts():
        print(f"{account.user_name:<22}{account.quota_gb:>8}  {account.active}")


def print_status(stack: LocalStack) -> None:
    """`scim-setup status`, as an operator would run it in the project directory."""
    command = [sys.executable, "-m", "scim_setup.cli", "status", "--stack", stack.stack]
    result = subprocess.run(command, cwd=ROOT, env=stack.env, check=False)
    print(f"(exit code {result.returncode})")


def print_scim_state(client: DashboardClient) -> None:
    settings = client.get_settings()
    token = settings.token.id if settings.token else "none"
    print(f"Dashboard now: SCIM enabled={settings.enabled}, active token: {token}")


def main() -> int:
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    step("Starting the local Dashboard emulator")
    with EmulatorProcess(WORK_DIR / "emulator-data") as dashboard:
        print(f"Dashboard at {dashboard.url}")
        stack = LocalStack(ROOT, WORK_DIR, "demo")
        stack.init()
        try:
            stack.set_config("dashboard:url", dashboard.url)
            stack.set_config("dashboard:apiToken", dashboard.admin_token, secret=True)
            stack.set_config("scim:accountSizeGb", ACCOUNT_SIZE_GB)
            step("pulumi up (enable SCIM, account size, generate the API token, Test Connection)")
            print(stack.up("--suppress-progress").stdout)
            outputs = stack.outputs(show_secrets=True)
            print(f"Tenant URL: {outputs['tenant_url']}\nToken id:   {outputs['token_id']}")
            print(outputs["test_connection"]["message"])
            step("Replaying Entra ID's provisioning calls against the tenant URL")
            provision(outputs["tenant_url"], outputs["token"])
            client = DashboardClient(dashboard.url, dashboard.admin_token)
            step("Backup accounts in the Dashboard")
            print_backup_accounts(client)
            step("pulumi refresh --run-program, then scim-setup status")
            stack.refresh("--run-program", "--suppress-progress")
            print_status(stack)
            step("pulumi destroy (revoke the token, switch SCIM off)")
            print(stack.destroy("--suppress-progress").stdout)
            print_scim_state(client)
            client.close()
        finally:
            stack.remove()
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    step("Done: the emulator is stopped and the demo stack removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
