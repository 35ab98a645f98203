"""The retry policy caps any one Retry-After wait, on every attempt, not only the first."""

from urllib3.response import HTTPResponse

from providers.http_retry import retry_policy


def test_retry_after_is_capped_on_later_attempts_too():
    policy = retry_policy(4, (429,), ("GET",), retry_after_max=2.0)
    asks_for_an_hour = HTTPResponse(headers={"Retry-After": "3600"}, status=429)

    later = policy.increment("GET", "/x", response=asks_for_an_hour)

    assert policy.get_retry_after(asks_for_an_hour) == 2.0
    assert later.get_retry_after(asks_for_an_hour) == 2.0
    assert later.total == 3
