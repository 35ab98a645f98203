"""Fixtures of the policy tests: the component tests' recording mock engine, and the real CLI."""

from pathlib import Path

import pytest

from tests.components.conftest import pulumi_engine
from tests.engine.conftest import ROOT, pulumi_cli

__all__ = ["policy_pack", "pulumi_cli", "pulumi_engine"]


@pytest.fixture(scope="session")
def policy_pack(pulumi_cli: str) -> Path:
    """The pack directory, once its virtualenv exists (`make policy-venv`, run by `make test`)."""
    pack = ROOT / "policy"
    if not (pack / "venv" / "bin" / "python").exists():
        pytest.fail(
            "policy/venv is missing: run `make policy-venv` (make test does)", pytrace=False
        )
    return pack
