"""Our code uses other libraries through their public APIs only.

No name that starts with an underscore is read from a third-party module (`module._name`,
`from module import _name`), and no attribute of a third-party module is assigned. The one
exception is `providers/error_reporting.py`, whose docstring says why. Our own modules may use
their own underscored names.

Product code (what `pulumi up` and `scim-setup` run) also keeps off what is public in name only:
the modules and names in `NOT_PUBLIC`, the CLI's debug switch, a subclass of another library's
class that skips its `__init__`, and changes to this process's environment. Each use that stays
is in `ALLOWED_USES` with its reason.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"components", "providers", "scim_setup", "tests", "bench", "scripts", "policy"}
ALLOWED = {"providers/error_reporting.py"}
PRODUCT = ("components/", "providers/", "scim_setup/", "policy/", "__main__.py")

NOT_PUBLIC = {
    "pulumi.runtime.config.CONFIG": "the SDK's own store (its module says: use pulumi.Config)",
    "pulumi.runtime.rpc": "the SDK's wire format; pulumi.UNKNOWN and friends are exported",
    "pulumi.runtime.settings": "the SDK's process state",
    "pulumi.output.Unknown": "not exported by pulumi; pulumi.contains_unknowns finds unknowns",
    "pulumi.dynamic.__main__": "the dynamic provider host, not an API",
    "PULUMI_DEBUG_COMMANDS": "turns on the CLI's hidden debug commands and flags",
}
"""Dotted names (a module covers everything in it) and environment switches: not an API."""

ALLOWED_USES = {
    ("scim_setup/cli/fleet/runner.py", "skips pulumi.automation.Stack.__init__"): (
        "Stack's constructor runs `pulumi stack select` (rewriting the operator's current stack, "
        "from parallel threads), and `up()` then reads every output with --show-secrets, "
        "bringing each customer's token into the fleet process; see CustomerStack"
    ),
}
"""(file, finding) → why the file keeps it."""
ENVIRON_CHANGES = {"pop", "popitem", "clear", "update", "setdefault", "__setitem__", "__delitem__"}


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


def product_files() -> list[str]:
    return [path for path in python_files() if path.startswith(PRODUCT)]


def dotted_names(tree: ast.AST) -> dict[str, str]:
    """Each local name bound by an import of another package → the dotted name it stands for."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if third_party(alias.name):
                    local = alias.asname or alias.name.split(".")[0]
                    names[local] = alias.name if alias.asname else local
        elif (
            isinstance(node, ast.ImportFrom) and node.level == 0 and third_party(node.module or "")
        ):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def resolve(node: ast.AST, names: dict[str, str]) -> str | None:
    """`auto.Stack` → `pulumi.automation.Stack`, when `auto` names another package."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        base = resolve(node.value, names)
        return None if base is None else f"{base}.{node.attr}"
    return None


def not_public(dotted: str) -> str | None:
    for name in NOT_PUBLIC:
        if dotted == name or dotted.startswith(name + "."):
            return name
    return None


def non_public_uses(source: str) -> set[str]:
    """What `source` uses that no library offers as its API (see the module docstring)."""
    tree = ast.parse(source)
    names = dotted_names(tree)
    found = {
        hit
        for dotted in [*names.values(), *_references(tree, names)]
        if (hit := not_public(dotted))
    }
    found |= {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in NOT_PUBLIC
    }
    found |= _skipped_inits(tree, names) | _environ_changes(tree, names)
    return found


def _references(tree: ast.AST, names: dict[str, str]) -> list[str]:
    return [
        dotted
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and (dotted := resolve(node, names))
    ]


def _skipped_inits(tree: ast.AST, names: dict[str, str]) -> set[str]:
    """A subclass of another library's class whose `__init__` never calls the base's.

    A base that keeps `object.__init__` (`abc.ABC`, a generated gRPC servicer) has nothing to skip.
    """
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        bases = [
            dotted
            for base in node.bases
            if (dotted := resolve(base, names)) and _has_own_init(dotted)
        ]
        inits = [f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"]
        if bases and inits and not _calls_base_init(inits[0]):
            found |= {f"skips {base}.__init__" for base in bases}
    return found


def _has_own_init(dotted: str) -> bool:
    module_name, _, class_name = dotted.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError):
        return True
    return getattr(cls, "__init__", object.__init__) is not object.__init__


def _calls_base_init(init: ast.FunctionDef) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
        for node in ast.walk(init)
    )


def _environ_changes(tree: ast.AST, names: dict[str, str]) -> set[str]:
    """`os.environ[...] = `, `del os.environ[...]`, `os.environ.pop(...)`, `os.putenv(...)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
            target = resolve(node.value, names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = resolve(node.func, names)
            if target in {"os.environ." + name for name in ENVIRON_CHANGES}:
                target = "os.environ"
        else:
            continue
        if target in {"os.environ", "os.putenv", "os.unsetenv"}:
            return {"changes os.environ"}
    return set()


def test_the_check_sees_private_reads_and_assignments():
    source = (
        "import pulumi.runtime.rpc as rpc\nfrom pydantic import _internal\n"
        "import requests\nrpc._special_sig_key\nrequests.get = None\n"
    )

    assert len(reaches(source)) == 3


def test_no_private_names_of_other_libraries():
    found = {path: reaches((ROOT / path).read_text()) for path in python_files()}

    assert {path: lines for path, lines in found.items() if lines} == {}


@pytest.mark.parametrize(
    ("source", "finding"),
    [
        (
            "from pulumi.runtime import config as c\nc.CONFIG.get()\n",
            "pulumi.runtime.config.CONFIG",
        ),
        (
            "import pulumi.runtime.config\npulumi.runtime.config.CONFIG\n",
            "pulumi.runtime.config.CONFIG",
        ),
        ("from pulumi.output import Unknown\n", "pulumi.output.Unknown"),
        ("from pulumi.runtime.rpc import UNKNOWN\n", "pulumi.runtime.rpc"),
        (
            "from pulumi import automation as auto\nclass S(auto.Stack):\n"
            "    def __init__(self, name):\n        self.name = name\n",
            "skips pulumi.automation.Stack.__init__",
        ),
        ("env = {'PULUMI_DEBUG_COMMANDS': 'true'}\n", "PULUMI_DEBUG_COMMANDS"),
        ("import os\nos.environ.pop('X', None)\n", "changes os.environ"),
        ("import os\nos.environ['X'] = '1'\n", "changes os.environ"),
        ("from os import environ\ndel environ['X']\n", "changes os.environ"),
    ],
)
def test_the_check_sees_each_non_public_use(source: str, finding: str):
    assert non_public_uses(source) == {finding}


def test_the_check_lets_public_uses_pass():
    source = (
        "import os\nimport pulumi\nfrom pulumi import automation as auto\n"
        "pulumi.runtime.get_config_env()\npulumi.contains_unknowns(1)\nos.environ.get('X')\n"
        "class S(auto.Stack):\n    def __init__(self, name, ws):\n"
        "        super().__init__(name, ws, auto.StackInitMode.SELECT)\n"
    )

    assert non_public_uses(source) == set()


def test_product_code_uses_public_apis_only():
    found = {
        (path, use)
        for path in product_files()
        for use in non_public_uses((ROOT / path).read_text())
    }

    assert found - ALLOWED_USES.keys() == set()
    assert ALLOWED_USES.keys() - found == set(), "an allowed use is gone: drop it from the list"
