"""How a provider failure reaches the operator: one line, no Python traceback.

The dynamic-provider host (`pulumi.dynamic.__main__`, `_abort_with_traceback`) answers the engine
with `traceback.format_exc()` for every exception, and the engine prints that text under the
resource. For a `OneLineError` (`DashboardError`, `GraphError`), an expected failure whose message
already says what was called, what came back and what to do, the 15-line traceback is noise. So
the host's `traceback` name is pointed at a formatter that renders those as their message alone;
any other exception is a bug in our code and keeps its full traceback.

This is the package's one reach into another library's internals, kept on purpose: the SDK has no
public hook for the error text, the check below makes it a no-op wherever the host does not look
as expected (tests, programs, a future SDK), and the fault suite proves the one-line result.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any


class OneLineError(Exception):
    """An expected failure: its message says what was called, what came back and what to do."""


class OneLineTraceback:
    """The `traceback` module, but `format_exc()` is one line for a `OneLineError`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    @staticmethod
    def format_exc(limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, OneLineError):
            return str(error)
        return traceback.format_exc(limit, chain)


def report_errors_in_one_line() -> None:
    """Install the formatter in the dynamic-provider host; elsewhere (tests, programs) a no-op."""
    host = sys.modules.get("__main__")
    if (
        getattr(host, "_abort_with_traceback", None)
        and getattr(host, "traceback", None) is traceback
    ):
        host.traceback = OneLineTraceback()  # type: ignore[union-attr]
