"""The policy pack's Entra rules under the real engine: `pulumi preview --policy-pack policy` of the
real program with an `entra` section, the stand-in azuread plugin as pulumi-azuread.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The Dashboard rules are proven in test_policy_engine.py; here the pack sees the program's
synchronization secret and job as the engine registers them (inputs, dependencies). The tests
share one stack, each previewing it with other `entra:*` config.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scim_setup.emulator.graph_process import FakeGraphProcess
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.support.entra_stack import (
    SALES,
    entra_stack,
    fake_entra,
)

NO_EMAIL = "no one is e-mailed when provisioning fails or is quarantined"
NO_THRESHOLD = "no accidental-deletion threshold"
SYNC_ALL = "entra:syncAll is on: every user and group of the tenant gets a backup account"


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraphProcess]:
    with fake_entra() as process:
        yield process


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str,
    emulator: EmulatorProcess,
    graph: FakeGraphProcess,
    tmp_path_factory: pytest.TempPathFactory,
) -> LocalStack:
    work = tmp_path_factory.mktemp("policy-entra")
    made = entra_stack(work, emulator, graph, {"displayName": "Backup SCIM"}, [SALES], "policy")
    made.set_config("scim:accountSizeGb", "100")
    made.set_config("scim:rotateAfterDays", "90")
    return made


def preview(stack: LocalStack, pack: Path) -> Any:
    return stack.preview("--policy-pack", str(pack), check=False)


def test_entra_stack_passes_the_mandatory_rules_and_is_advised_on_notifications(stack, policy_pack):
    result = preview(stack, policy_pack)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "mandatory" not in result.stdout
    assert "[advisory]  notification-email" in result.stdout
    assert NO_EMAIL in result.stdout
    assert NO_THRESHOLD in result.stdout
    assert SYNC_ALL not in result.stdout


def test_notifications_set_and_sync_all_on_change_the_advice(stack, policy_pack):
    stack.set_config("entra:notificationEmail", "identity-team@example.com")
    stack.set_config("entra:deleteThreshold", "50")
    stack.set_config("entra:syncAll", "true")

    result = preview(stack, policy_pack)

    assert result.returncode == 0, result.stdout + result.stderr
    assert NO_EMAIL not in result.stdout
    assert NO_THRESHOLD not in result.stdout
    assert "[advisory]  sync-all-off" in result.stdout
    assert SYNC_ALL in result.stdout
