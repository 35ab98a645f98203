"""The emulator's application records no telemetry, even where a tracer provider is configured."""

import json
import subprocess
import sys
from pathlib import Path

SPANS_PER_APP = """
import asyncio, json, sys
from pathlib import Path

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from scim_setup.emulator.app import AppOptions, create_app
from scim_setup.emulator.store import Store

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)


async def get(app, path):
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": [], "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8750),
    }
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message):
        pass

    await app(scope, receive, send)


def spans(app):
    exporter.clear()
    asyncio.run(get(app, "/no/such/path"))
    return len(exporter.get_finished_spans())


store = Store(Path(sys.argv[1]))
emulator = create_app(store, AppOptions(base_url="http://127.0.0.1:8750"))
print(json.dumps({"emulator": spans(emulator), "plain FastAPI": spans(FastAPI())}))
store.close()
"""


def test_native_telemetry_stays_off_even_with_a_configured_provider(tmp_path: Path) -> None:
    """A fresh interpreter, since a tracer provider is set once per process."""
    result = subprocess.run(
        [sys.executable, "-c", SPANS_PER_APP, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    spans = json.loads(result.stdout)
    assert spans["plain FastAPI"] > 0  # what a configured provider records by default
    assert spans["emulator"] == 0
