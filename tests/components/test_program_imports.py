"""An Azure SDK is imported only where Azure resources are declared.

Every `pulumi` command runs the program, and importing `pulumi_azuread` costs more than the rest
of a Dashboard-only program. Each case runs the program (under mocks), a config check or an
import of the package's names in a fresh interpreter (this one has imported everything already)
and reports which Azure SDKs and HTTP clients it loaded.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.azure_mocks import GROUP_A
from tests.support.stack_program import BASE_CONFIG

ROOT = Path(__file__).resolve().parents[2]
AZURE_SDKS = ("pulumi_azuread", "pulumi_azure_native", "azure", "msal")
"""The Pulumi Azure SDKs and Azure's own client libraries (`azure.*`, `msal`)."""
HTTP = ("requests", "urllib3")
"""HTTP clients: only the provider processes call the Dashboard and Graph, never the program."""
ENTRA_MODULES = (
    "providers.graph",
    "components.entra_application_args",
    "components.entra_provisioning_args",
)
"""Our Entra-only modules: a Dashboard-only stack does not pay for importing them."""

RUN_PROGRAM = f"""
import json, sys
from tests.components.conftest import PulumiEngine
from tests.support.stack_program import run_program

exported = run_program(PulumiEngine(), json.loads(sys.argv[1]))
loaded = {{name.partition(".")[0] for name in sys.modules}}
print(json.dumps({{
    "exported": sorted(exported),
    "azure": sorted(loaded & set({AZURE_SDKS!r})),
    "http": sorted(loaded & set({HTTP!r})),
    "entra_modules": sorted(
        name for name in sys.modules if name.startswith({ENTRA_MODULES!r})
    ),
}}))
"""

ENTRA = {
    "entra:application": '{"displayName": "Backup SCIM"}',
    "entra:assignedGroups": f'["{GROUP_A}"]',
}
ESCROW = {"azureExtras:tokenEscrow": '{"resourceGroupName": "rg-scim", "vaultName": "kv-scim"}'}


def run_in_fresh_interpreter(script: str, argument: str) -> Any:
    """Run `script` with `argument` in a new interpreter; return the JSON it prints last."""
    result = subprocess.run(
        [sys.executable, "-c", script, argument],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_dashboard_only_program_loads_no_azure_sdk_and_no_http_client() -> None:
    run = run_in_fresh_interpreter(RUN_PROGRAM, json.dumps(BASE_CONFIG))

    assert "token" in run["exported"], "the program did not run to the end"
    assert run["azure"] == []
    assert run["http"] == []


def test_dashboard_only_program_loads_none_of_our_entra_modules() -> None:
    """The Graph providers and the Entra arguments load with an Entra section, not before."""
    dashboard_only = run_in_fresh_interpreter(RUN_PROGRAM, json.dumps(BASE_CONFIG))
    mappings = '[{"target": "emails[type eq \\"work\\"].value", "source": "mail"}]'
    entra = run_in_fresh_interpreter(
        RUN_PROGRAM, json.dumps({**BASE_CONFIG, **ENTRA, "entra:attributeMappings": mappings})
    )

    assert "token" in dashboard_only["exported"], "the program did not run to the end"
    assert dashboard_only["entra_modules"] == []
    assert "providers.graph.mapping_expression" in entra["entra_modules"], "the probe sees nothing"
    assert "components.entra_provisioning_args" in entra["entra_modules"]


def test_entra_program_without_azure_extras_loads_no_azure_native_sdk() -> None:
    run = run_in_fresh_interpreter(RUN_PROGRAM, json.dumps({**BASE_CONFIG, **ENTRA}))

    assert "job_id" in run["exported"], "the program did not run to the end"
    assert "pulumi_azuread" in run["azure"], "the probe does not see the SDK the Entra step uses"
    assert "pulumi_azure_native" not in run["azure"]
    assert run["http"] == []


CHECK_CONFIG = f"""
import json, sys
from components.stack_config import parse_stack_config

config = parse_stack_config(json.loads(sys.argv[1]), ["dashboard:apiToken"], {{}})
assert config.entra is not None and config.azureExtras.tokenEscrow is not None
print(json.dumps(sorted({{name.partition(".")[0] for name in sys.modules}} & set({AZURE_SDKS!r}))))
"""


def test_checking_entra_and_azure_config_imports_no_sdk():
    """`scim-setup fleet add` checks a customer's whole stack config without deploying it."""
    config = {**BASE_CONFIG, **ENTRA, **ESCROW, "entra:notificationEmail": "ops@example.com"}

    assert run_in_fresh_interpreter(CHECK_CONFIG, json.dumps(config)) == []


IMPORT_NAMES = f"""
import json, sys
import components

names = {{name: getattr(components, name) for name in components.__all__}}
print(json.dumps({{
    "names": len(names),
    "azure": sorted({{name.partition(".")[0] for name in sys.modules}} & set({AZURE_SDKS!r})),
}}))
"""


def test_every_public_name_of_the_package_imports_without_an_azure_sdk():
    """The SDKs load when a resource is declared, not when its class or args are imported."""
    loaded = run_in_fresh_interpreter(IMPORT_NAMES, "")

    assert loaded["names"] > 0
    assert loaded["azure"] == []


def test_every_public_name_of_the_package_is_its_module_class():
    import components

    for name in components.__all__:
        module = importlib.import_module(components.MODULE_OF[name])
        assert getattr(components, name) is getattr(module, name)
    assert sorted(components.MODULE_OF) == sorted(components.__all__)
    with pytest.raises(AttributeError):
        components.Nothing  # noqa: B018
