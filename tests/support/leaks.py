"""Assertions about secrets that never print the secret they look for."""

import pytest


def assert_not_leaked(text: str, secret: str, where: str) -> None:
    """Fail when `secret` occurs in `text`, without echoing either into the test report."""
    assert secret, "the secret to look for is empty; the check would prove nothing"
    if secret in text:
        pytest.fail(f"a secret leaked into {where}", pytrace=False)
