"""`pulumi preview --policy-pack policy` with the real CLI: the engine starts the pack through the
language host's RunPlugin, and a mandatory violation fails the preview with its message.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The Dashboard policies run here; the Entra ones run in test_policy_engine_entra.py (through the
stand-in azuread plugin) and test_policy_rules.py (every rule on the program's real inputs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import new_stack


def preview(stack: LocalStack, pack: Path, *extra: str) -> Any:
    return stack.preview("--policy-pack", str(pack), *extra, check=False)


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str, emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    work = tmp_path_factory.mktemp("policy-engine")
    for made in new_stack(work, emulator):
        made.set_config("scim:accountSizeGb", "100")
        made.set_config("scim:rotateAfterDays", "90")
        yield made


def test_compliant_stack_passes_the_policy_pack(stack, policy_pack):
    result = preview(stack, policy_pack)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "scim-setup@v0.1.0" in result.stdout
    assert "mandatory" not in result.stdout


def test_account_size_outside_the_organisations_bounds_fails_the_preview(stack, policy_pack):
    stack.set_config("scim:accountSizeGb", "5000")
    try:
        result = preview(stack, policy_pack)
    finally:
        stack.set_config("scim:accountSizeGb", "100")

    assert result.returncode != 0
    assert "[mandatory]  account-size-bounds" in result.stdout
    assert "scim:accountSizeGb is 5000 GB" in result.stdout
    assert "`pulumi config set scim:accountSizeGb <10..1000>`" in result.stdout


def test_token_without_rotation_fails_the_preview(stack, policy_pack):
    stack.remove_config("scim:rotateAfterDays")
    try:
        result = preview(stack, policy_pack)
    finally:
        stack.set_config("scim:rotateAfterDays", "90")

    assert result.returncode != 0
    assert "[mandatory]  token-rotation" in result.stdout
    assert "scim:rotateAfterDays is not set" in result.stdout


def test_pack_config_sets_the_rotation_limit(stack, policy_pack, tmp_path):
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"token-rotation": {"maxRotateAfterDays": 30}}))

    result = preview(stack, policy_pack, "--policy-pack-config", str(config))

    assert result.returncode != 0
    assert "scim:rotateAfterDays is 90; at most 30 days are allowed" in result.stdout


def test_loopback_tenant_url_passes_once_the_dashboard_reported_it(stack, policy_pack):
    stack.up()

    result = preview(stack, policy_pack)

    assert result.returncode == 0, result.stdout + result.stderr
    assert stack.outputs()["tenant_url"].startswith("http://127.0.0.1:")


@pytest.fixture(scope="module")
def public_http_stack(
    pulumi_cli: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    """A Dashboard that advertises a plain-http public tenant URL (as behind a bad proxy)."""
    work = tmp_path_factory.mktemp("policy-public-http")
    public = ["--public-url", "http://dashboard.example.test"]
    with EmulatorProcess(work / "emulator", test_hooks=True, extra_args=public) as emulator:
        for made in new_stack(work, emulator):
            made.set_config("scim:rotateAfterDays", "90")
            # The advertised host does not exist, so Entra's Test Connection could never pass.
            made.set_config("scim:testConnection", "false")
            yield made


def test_plain_http_tenant_url_fails_the_preview(public_http_stack, policy_pack):
    public_http_stack.up()

    result = preview(public_http_stack, policy_pack)

    assert result.returncode != 0
    assert "[mandatory]  tenant-url-https" in result.stdout
    assert "tenant URL http://dashboard.example.test/scim/v2/" in result.stdout
    assert "set dashboard:url" in result.stdout


def test_pack_without_its_virtualenv_says_how_to_create_it(stack, policy_pack, tmp_path):
    bare = tmp_path / "policy"
    bare.mkdir()
    for name in ("PulumiPolicy.yaml", "__main__.py", "scim_policies.py", "requirements.txt"):
        (bare / name).write_text((policy_pack / name).read_text())

    result = preview(stack, bare)

    assert result.returncode != 0
    assert f'"{bare / "venv"}" doesn\'t exist; run the following commands' in result.stdout + (
        result.stderr
    )
