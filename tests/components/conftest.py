"""The recording mock engine (`tests/support/mock_engine.py`), fresh for every test.

The Pulumi runtime is process-global: every test that asks for `pulumi_engine` gets fresh mocks.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime.settings import SETTINGS

from tests.support.mock_engine import PulumiEngine


@pytest.fixture
def pulumi_engine() -> Iterator[PulumiEngine]:
    # The runtime creates futures on the current event loop. An earlier test in this process
    # (any order, under xdist) may have run `asyncio.run()`, which leaves none: give each its own.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield PulumiEngine()
    # A failed deployment leaves futures nobody awaited; drop the runtime's references and
    # collect them now, so asyncio reports them in this test's captured log, not at exit.
    settings: Any = SETTINGS  # its context properties are opaque to type checkers
    settings.rpc_manager.clear()
    settings.outputs.clear()
    gc.collect()
    asyncio.set_event_loop(None)
    loop.close()
