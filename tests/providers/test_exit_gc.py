"""`providers/exit_gc.py`: the heap is frozen in Pulumi's provider host and the program only.

The program run as `__main__` also ends on SIGINT without a traceback (the fault suite shows why).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from providers import dashboard_provider, exit_gc
from providers.scim_settings import ScimSettingsProvider

ROOT = Path(__file__).resolve().parents[2]


def fake_main(monkeypatch: pytest.MonkeyPatch, module_name: str) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = importlib.util.spec_from_loader(module_name, loader=None)
    monkeypatch.setitem(sys.modules, "__main__", main)


def test_the_provider_host_is_pulumis_dynamic_main_module():
    spec = importlib.util.find_spec(exit_gc.PROVIDER_HOST)

    assert spec is not None and spec.origin is not None
    assert spec.origin.endswith("pulumi/dynamic/__main__.py")


def test_only_pulumis_provider_host_counts(monkeypatch):
    assert not exit_gc.in_provider_host(), "pytest is not the provider host"

    fake_main(monkeypatch, "somebody.else")
    assert not exit_gc.in_provider_host()

    fake_main(monkeypatch, exit_gc.PROVIDER_HOST)
    assert exit_gc.in_provider_host()


@pytest.mark.parametrize("host", [True, False])
def test_the_first_client_freezes_the_heap_in_the_provider_host_only(monkeypatch, configured, host):
    frozen: list[bool] = []
    monkeypatch.setattr(dashboard_provider, "in_provider_host", lambda: host)
    monkeypatch.setattr(
        dashboard_provider, "freeze_long_lived_objects", lambda: frozen.append(True)
    )
    provider = configured(ScimSettingsProvider())

    provider.client()
    provider.client()

    assert frozen == ([True] if host else [])


PROBE = """
import gc, json, signal, sys
from tests.components.conftest import PulumiEngine
from tests.components.test_program import run_program
run_program(PulumiEngine(), json.loads(sys.argv[1]), run_name=sys.argv[2])
print(gc.get_freeze_count(), signal.getsignal(signal.SIGINT) is signal.SIG_DFL)
"""
CONFIG = {"dashboard:url": "https://dashboard.example.com", "dashboard:apiToken": "not-a-token"}


@pytest.mark.parametrize("run_name", ["__main__", "<run_path>"])
def test_only_the_program_run_as_main_freezes_its_heap_and_ends_on_sigint(run_name):
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(CONFIG), run_name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    frozen, default_sigint = result.stdout.splitlines()[-1].split()
    if run_name == "__main__":
        assert int(frozen) > 10_000 and default_sigint == "True"
    else:
        assert int(frozen) == 0 and default_sigint == "False"
