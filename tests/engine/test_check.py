"""`check()` runs inside the engine: a bad input fails `pulumi preview` with its message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import new_stack
from tests.support.dashboard import Dashboard

# A program that takes the size straight from config, bypassing the stack's config schema, so
# that only the provider's check() stands between the value and the Dashboard.
PROGRAM = """
import pulumi
from providers import ScimSettings, ScimSettingsArgs

size = pulumi.Config("scim").require_float("accountSizeGb")
ScimSettings("settings", ScimSettingsArgs(account_size_gb=size))
"""


@pytest.fixture(scope="module")
def raw_stack(
    pulumi_cli: str, emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    yield from new_stack(tmp_path_factory.mktemp("check"), emulator, PROGRAM)


def test_out_of_range_size_fails_preview_with_the_check_message(raw_stack, dashboard: Dashboard):
    raw_stack.set_config("scim:accountSizeGb", "12.5")
    dashboard.clear_requests()

    result = raw_stack.preview(check=False)

    assert result.returncode != 0
    assert (
        "property account_size_gb value {12.5} has a problem: "
        "must be a whole number of GB from 1 to 10240"
    ) in result.stdout
    assert dashboard.writes() == []


def test_whole_float_from_config_is_accepted_and_applied(raw_stack, dashboard: Dashboard):
    raw_stack.set_config("scim:accountSizeGb", "80")

    raw_stack.up()

    assert dashboard.settings()["accountSizeGb"] == 80
