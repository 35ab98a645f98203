"""The one retry policy: Retry-After honoured but capped, else a doubling backoff."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from providers.http_retry import RetryPolicy, retry_after_seconds

POLICY = RetryPolicy(statuses=frozenset({429}), retry_after_max_s=2.0)


def test_retry_after_is_capped_on_every_retry():
    assert [POLICY.wait(retries, "3600") for retries in range(4)] == [2.0] * 4


def test_without_retry_after_the_wait_doubles_up_to_eight_seconds():
    assert [POLICY.wait(retries, None) for retries in range(7)] == [0, 1, 2, 4, 8, 8, 8]


def test_retry_after_as_an_http_date_is_seconds_from_now():
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)

    assert 25 <= (retry_after_seconds(later) or 0) <= 30


@pytest.mark.parametrize("header", [None, "", "soon", "-5"])
def test_a_missing_or_malformed_retry_after_falls_back_to_the_backoff(header):
    assert POLICY.wait(2, header) == 2.0
