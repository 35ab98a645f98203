"""The Dashboard step on the passphrase secrets provider, the one operators use without a KMS.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

Every test stack encrypts its secrets this way (`LocalStack.init`); this module proves it end to
end: the state names the provider, the stack file holds its salt, and no secret is in plain text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import new_stack
from tests.support.dashboard import Dashboard
from tests.support.leaks import assert_not_leaked


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str, emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    work = tmp_path_factory.mktemp("passphrase")
    yield from new_stack(work, emulator)


def test_up_with_the_passphrase_provider_keeps_every_secret_encrypted(
    stack: LocalStack, emulator: EmulatorProcess
):
    stack.up()
    token = stack.outputs(show_secrets=True)["token"]
    state = stack.export()
    stack_file = stack.config_file.read_text()

    assert json.loads(state)["checkpoint"]["latest"]["secrets_providers"]["type"] == "passphrase"
    assert "encryptionsalt: v1:" in stack_file and "secretsprovider:" not in stack_file
    for secret in (token, emulator.admin_token):
        assert_not_leaked(state, secret, "the stack's state")
        assert_not_leaked(stack_file, secret, "the stack config file")
        assert_not_leaked(stack.transcript(), secret, "the pulumi CLI's output")
    assert Dashboard(emulator.url, emulator.admin_token).scim_status(token) == 200
