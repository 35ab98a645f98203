"""Test modules that hold real tokens opt out of assertion rewriting, so failures never print them.

The check runs pytest on a throwaway module twice: with the opt-out the token stays out of the
failure report, and without it the same failure does print it (so the first result means something).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.leaks import assert_not_leaked

MODULE = '''"""A module that handles a token.{marker}"""
import os


def scim_status(token):
    return 401


def test_token_is_accepted():
    token = os.environ["CANARY_TOKEN"]
    assert scim_status(token) == 200
'''


def failure_report(tmp_path: Path, marker: str, token: str) -> str:
    (tmp_path / "test_handles_token.py").write_text(MODULE.format(marker=marker))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_handles_token.py"],
        cwd=tmp_path,
        env={**os.environ, "CANARY_TOKEN": token},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, "the throwaway test should have failed"
    return result.stdout + result.stderr


@pytest.fixture
def token() -> str:
    return f"canary-{uuid.uuid4().hex}"


def test_opted_out_module_failure_does_not_print_the_token(tmp_path, token):
    report = failure_report(tmp_path, "\n\nPYTEST_DONT_REWRITE\n", token)

    assert_not_leaked(report, token, "pytest's failure report")


def test_rewritten_module_failure_would_print_the_token(tmp_path, token):
    report = failure_report(tmp_path, "", token)

    assert token in report, "assertion rewriting no longer shows call arguments"
