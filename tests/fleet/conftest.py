"""A fleet of three customers: three emulator processes, three stacks, one local file backend.

The `scim-setup fleet` commands run as the installed console script, in a copy of the project, with
the real Pulumi CLI; each customer's admin token is encrypted by the passphrase secrets provider
(`PULUMI_CONFIG_PASSPHRASE`), which `fleet add --secrets-provider` sets.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack, project_copy
from tests.engine.conftest import pulumi_cli as pulumi_cli  # the same skip/fail rule as there
from tests.support.console_script import SCRIPT
from tests.support.dashboard import Dashboard

CUSTOMERS = ("cust-a", "cust-b", "cust-c")


@dataclass
class Customer:
    name: str
    emulator: EmulatorProcess
    dashboard: Dashboard
    token_env: str


@dataclass
class Fleet:
    project: Path
    work: Path
    env: dict[str, str]
    customers: dict[str, Customer]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`scim-setup ARGS` in the project directory, as an operator would run it."""
        return subprocess.run(
            [str(SCRIPT), *args],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def stack(self, name: str) -> LocalStack:
        """Plain `pulumi` for one customer's stack (config in the project's Pulumi.<name>.yaml)."""
        return LocalStack(self.project, self.work, name)

    def set_account_size(self, name: str, size_gb: int) -> None:
        self.stack(name).run("config", "set", "scim:accountSizeGb", str(size_gb))


@pytest.fixture(scope="module")
def fleet(pulumi_cli: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """Three emulators and the project with no customer stacks yet (the tests add them)."""
    work = tmp_path_factory.mktemp("fleet")
    project = project_copy(work)
    env = dict(LocalStack(project, work, "unused").env)
    customers: dict[str, Customer] = {}
    try:
        for index, name in enumerate(CUSTOMERS):
            emulator = EmulatorProcess(work / f"dashboard-{name}", test_hooks=True).start()
            token_env = f"FLEET_TEST_TOKEN_{index}"
            env[token_env] = emulator.admin_token
            customers[name] = Customer(
                name, emulator, Dashboard(emulator.url, emulator.admin_token), token_env
            )
        yield Fleet(project, work, env, customers)
    finally:
        for customer in customers.values():
            customer.emulator.close()
