"""Our code uses other libraries through their public APIs only.

No name that starts with an underscore is read from a third-party module (`module._name`,
`from module import _name`), and no attribute of a third-party module is assigned. The one
exception is `providers/error_reporting.py`, whose docstring says why. Our own modules may use
their own underscored names.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"components", "providers", "scim_setup", "tests", "bench", "scripts", "policy"}
ALLOWED = {"providers/error_reporting.py"}


def python_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [path for path in listed if path not in ALLOWED and (ROOT / path).exists()]


def third_party(module: str) -> bool:
    top = module.split(".")[0]
    return bool(top) and top not in FIRST_PARTY and top != "__future__"


def reaches(source: str) -> list[str]:
    """Every private read or attribute assignment on a third-party module in `source`."""
    tree = ast.parse(source)
    modules: dict[str, str] = {}
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if third_party(alias.name):
                    modules[alias.asname or alias.name.split(".")[0]] = alias.name
        elif (
            isinstance(node, ast.ImportFrom) and node.level == 0 and third_party(node.module or "")
        ):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = modules.get(node.value.id)
            if module is None:
                continue
            if node.attr.startswith("_") and not node.attr.startswith("__"):
                found.append(f"line {node.lineno}: {module}.{node.attr}")
            elif isinstance(node.ctx, ast.Store | ast.Del):
                found.append(f"line {node.lineno}: assigns {module}.{node.attr}")
    return found


def test_the_check_sees_private_reads_and_assignments():
    source = (
        "import pulumi.runtime.rpc as rpc\nfrom pydantic import _internal\n"
        "import requests\nrpc._special_sig_key\nrequests.get = None\n"
    )

    assert len(reaches(source)) == 3


def test_no_private_names_of_other_libraries():
    found = {path: reaches((ROOT / path).read_text()) for path in python_files()}

    assert {path: lines for path, lines in found.items() if lines} == {}
