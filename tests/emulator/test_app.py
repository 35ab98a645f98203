"""How `create_app` sets up FastAPI itself."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.telemetry import _asgi as fastapi_telemetry

from scim_setup.emulator.app import AppOptions, create_app
from scim_setup.emulator.store import Store


def test_native_telemetry_stays_off_even_with_a_configured_provider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path)
    try:
        app = create_app(store, AppOptions(base_url="http://127.0.0.1:8750"))
    finally:
        store.close()
    monkeypatch.setattr(fastapi_telemetry, "_unconfigured", lambda _provider: False)

    assert isinstance(app, FastAPI)
    assert FastAPI()._native_telemetry.enabled()  # what a configured provider turns on
    assert not app._native_telemetry.enabled()
