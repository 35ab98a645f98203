"""`make fleet-demo`: three customers, three Dashboards, one `scim-setup fleet up`.

Starts three emulators (one Dashboard per customer), adds a stack per customer with `scim-setup
fleet add` (the admin tokens come from environment variables and land encrypted in the stack
files), sets them all up with the live table, changes one customer and previews (only that one
has changes), converges it, shows `fleet status`, and destroys everything again. The project copy,
backend and logs live under `.demo/fleet`, removed at the end.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, project_copy

ROOT = Path(__file__).resolve().parents[1]
WORK_DIR = ROOT / ".demo" / "fleet"
SCRIPT = Path(sys.executable).parent / "scim-setup"
CUSTOMERS = {"contoso": 100, "fabrikam": 50, "northwind": 200}


def step(text: str) -> None:
    print(f"\n==> {text}", flush=True)


class Demo:
    def __init__(self, project: Path, env: dict[str, str]) -> None:
        self.project = project
        self.env = env

    def fleet(self, *args: str, expect: int = 0) -> None:
        print(f"$ scim-setup fleet {' '.join(args)}", flush=True)
        code = subprocess.run(
            [str(SCRIPT), "fleet", *args], cwd=self.project, env=self.env, check=False
        ).returncode
        if code != expect:
            raise SystemExit(f"fleet-demo: `fleet {args[0]}` exited {code}, expected {expect}")


def main() -> int:
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    project = project_copy(WORK_DIR)
    env = dict(LocalStack(project, WORK_DIR, "unused").env)
    demo = Demo(project, env)
    with ExitStack() as running:
        step("Starting one Dashboard emulator per customer")
        for name, size in CUSTOMERS.items():
            emulator = running.enter_context(EmulatorProcess(WORK_DIR / f"dashboard-{name}"))
            print(f"{name}: Dashboard at {emulator.url}")
            env[f"{name.upper()}_DASHBOARD_TOKEN"] = emulator.admin_token
            demo.fleet(
                "add", name, "--dashboard-url", emulator.url,
                "--api-token-env", f"{name.upper()}_DASHBOARD_TOKEN",
                "--account-size-gb", str(size),
            )  # fmt: skip
        step("Every customer at once (two at a time on this machine)")
        demo.fleet("up", "--parallel", "2")
        step("fabrikam asks for 75 GB accounts: only its stack has changes (exit 3)")
        LocalStack(project, WORK_DIR, "fabrikam").run("config", "set", "scim:accountSizeGb", "75")
        demo.fleet("preview", expect=3)
        demo.fleet("up", "--report", str(WORK_DIR / "report.json"))
        demo.fleet("status")
        step("Tearing the fleet down")
        demo.fleet("destroy", "--yes")
    shutil.rmtree(WORK_DIR, ignore_errors=True)
    step("Done: the emulators are stopped and the demo stacks removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
