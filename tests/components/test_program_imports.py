"""An Azure SDK is imported only where Azure resources are declared.

Every `pulumi` command runs the program, and importing `pulumi_azuread` costs more than the rest
of a Dashboard-only program. Each case runs the program (under mocks), a config check or an
import of the package's names in a fresh interpreter (this one has imported everything already)
and reports which SDK modules, HTTP clients and modules of ours it loaded.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.components.azure_mocks import GROUP_A
from tests.components.test_program import BASE_CONFIG

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("pulumi_azuread", "pulumi_azure_native")
HTTP = ("requests", "urllib3", "azure")
"""HTTP clients: only the provider processes call the Dashboard and Graph, never the program."""
ENTRA_AND_AZURE = (
    "components.azure_extras",
    "components.entra_application",
    "components.entra_provisioning",
    "components.scim_setup",
    "providers.graph.credentials_check",
    "providers.graph.client",
    "providers.graph.job_status",
)
"""What a Dashboard-only program never needs."""

RUN_PROGRAM = f"""
import json, sys
from tests.components.conftest import PulumiEngine
from tests.components.test_program import run_program

exported = run_program(PulumiEngine(), json.loads(sys.argv[1]))
loaded = {{name.partition(".")[0] for name in sys.modules}}
print(json.dumps({{
    "exported": sorted(exported),
    "sdks": sorted(loaded & set({SDKS!r})),
    "http": sorted(loaded & set({HTTP!r})),
    "entra_and_azure": sorted(set(sys.modules) & set({ENTRA_AND_AZURE!r})),
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


@pytest.mark.parametrize(
    ("sections", "expected_sdks", "an_output"),
    [
        ({}, [], "token"),
        (ENTRA, ["pulumi_azuread"], "job_id"),
        (ESCROW, ["pulumi_azure_native"], "token_escrow_uri"),
    ],
    ids=["dashboard-only", "entra", "azure-extras"],
)
def test_program_imports_only_the_sdks_its_config_sections_use(
    sections: dict[str, str], expected_sdks: list[str], an_output: str
) -> None:
    run = run_in_fresh_interpreter(RUN_PROGRAM, json.dumps({**BASE_CONFIG, **sections}))

    assert an_output in run["exported"], "the program did not run to the end"
    assert run["sdks"] == expected_sdks
    assert run["http"] == []
    if not sections:
        assert run["entra_and_azure"] == []
    else:
        assert run["entra_and_azure"], "the probe for modules of ours sees nothing"


CHECK_CONFIG = f"""
import json, sys
from components.stack_config import parse_stack_config

config = parse_stack_config(json.loads(sys.argv[1]), ["dashboard:apiToken"], {{}})
assert config.entra is not None and config.azureExtras.tokenEscrow is not None
print(json.dumps(sorted({{name.partition(".")[0] for name in sys.modules}} & set({SDKS!r}))))
"""


def test_checking_entra_and_azure_config_imports_no_sdk():
    """`scim-setup fleet add` checks a customer's whole stack config without deploying it."""
    config = {**BASE_CONFIG, **ENTRA, **ESCROW, "entra:notificationEmail": "ops@example.com"}

    assert run_in_fresh_interpreter(CHECK_CONFIG, json.dumps(config)) == []


IMPORT_NAMES = """
import json, sys
exec(sys.argv[1])
loaded = {name.partition(".")[0] for name in sys.modules}
print(json.dumps({
    "ours": sorted(name for name in sys.modules if name.startswith("components.")),
    "sdks": sorted(loaded & {"pulumi_azuread", "pulumi_azure_native"}),
}))
"""


@pytest.mark.parametrize(
    ("statement", "modules"),
    [
        ("import components", []),
        (
            "from components import DashboardScim, DashboardScimArgs",
            ["components.dashboard_scim", "components.token_notice"],
        ),
        (
            "from components import EntraProvisioningArgs, NewApplication",
            [
                "components.entra_application_args",
                "components.entra_import",
                "components.entra_provisioning_args",
                "components.entra_values",
            ],
        ),
    ],
)
def test_package_names_load_only_their_modules_and_no_sdk(statement, modules):
    loaded = run_in_fresh_interpreter(IMPORT_NAMES, statement)

    assert loaded == {"ours": modules, "sdks": []}


def test_every_public_name_of_the_package_is_its_module_class():
    import components

    for name in components.__all__:
        module = importlib.import_module(components.MODULE_OF[name])
        assert getattr(components, name) is getattr(module, name)
    assert sorted(components.MODULE_OF) == sorted(components.__all__)
    with pytest.raises(AttributeError):
        components.Nothing  # noqa: B018
