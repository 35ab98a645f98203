"""What a client may send to the emulator: body size, JSON shape, string content.

A hostile or broken client must get a 4xx, never a 500, and nothing it sends
may reach the JSON parser, scim2-models or SQLite in a shape that breaks them:
deep nesting (RecursionError), lone surrogates (UnicodeEncodeError in the
SQLite driver), NUL characters, megabyte strings. Both APIs read their bodies
through `json_body`; the limits are part of the contract in
`docs/dashboard-api.md`.
"""

import json
from typing import Any

from starlette.requests import Request

MAX_BODY_BYTES = 1024 * 1024
"""The largest request body accepted; a larger one is 413."""
MAX_DEPTH = 32
"""The deepest nesting of objects and arrays accepted (SCIM documents need about 6)."""
MAX_STRING_CHARS = 4096
"""The longest string accepted anywhere in a body, keys included."""


class InputRejected(Exception):
    """A body the emulator refuses; `problem` is `too_large`, `syntax` or `value`."""

    def __init__(self, problem: str, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem
        self.detail = detail


async def json_body(request: Request) -> Any:
    """Read and parse a JSON body within the limits above, or raise `InputRejected`."""
    return parse_json(await read_body(request))


async def read_body(request: Request) -> bytes:
    """Read the body, refusing it as soon as it passes `MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes) -> Any:
    """Parse strict JSON (no NaN/Infinity) and check every value with `check_value`.

    The walk is skipped for a body that cannot break a limit: no longer than
    one string may be, with fewer brackets than the nesting limit, and no
    `\\u` escape (strict JSON has no raw control characters, and valid UTF-8
    decodes to no lone surrogate, so NUL and surrogates can only come as
    escapes). Most provisioning requests are such bodies.
    """
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise InputRejected("syntax", "the request body is not valid JSON") from None
    if not _plainly_within_limits(raw):
        check_value(value)
    return value


def _plainly_within_limits(raw: bytes) -> bool:
    return (
        len(raw) <= MAX_STRING_CHARS
        and raw.count(b"{") + raw.count(b"[") < MAX_DEPTH
        and b"\\u" not in raw
    )


def check_value(value: Any) -> None:
    """Refuse nesting deeper than `MAX_DEPTH` and strings that no store could hold.

    Iterative, so a hostile document cannot exhaust the stack here either.
    """
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise InputRejected("value", f"JSON nested deeper than {MAX_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def check_text(text: str) -> None:
    """Refuse a string that is too long, holds NUL or is not encodable as UTF-8."""
    if len(text) > MAX_STRING_CHARS:
        raise InputRejected("value", f"a string is longer than {MAX_STRING_CHARS} characters")
    if "\x00" in text:
        raise InputRejected("value", "strings must not contain NUL characters")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InputRejected(
                "value", "strings must be valid Unicode (a lone surrogate)"
            ) from None


def _too_large() -> InputRejected:
    return InputRejected("too_large", f"the request body is larger than {MAX_BODY_BYTES} bytes")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
