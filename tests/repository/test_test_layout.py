"""Each test file passes on its own: a test module takes shared helpers from `tests/support/` and
fixtures from a `conftest.py`, never from another test module.

Importing a `test_*.py` from another runs the first's module code in the second's process and ties
one file to another's names; a helper module lying next to the tests of one folder is found only
by who already knows where it is. The modules are read, not imported (`ast`).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
SUPPORT = TESTS / "support"


def suite_modules() -> list[Path]:
    """The suite's Python modules; programs kept as test data (`data/` folders) are not."""
    return sorted(p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts)


def imported_names(path: Path) -> list[str]:
    """Each module a file imports, and each `module.name` it imports from one."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return names


def is_test_or_conftest(path: Path) -> bool:
    return path.name.startswith("test_") or path.name == "conftest.py"


def test_no_module_of_the_suite_imports_a_test_module():
    imports = {path: imported_names(path) for path in suite_modules()}

    assert any(name.startswith("tests.support.") for names in imports.values() for name in names)
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, names in imports.items()
        for name in names
        if name.startswith("tests.") and name.rpartition(".")[2].startswith("test_")
    ]
    assert offenders == [], "move what they share into tests/support/ or a conftest.py fixture"


def test_shared_helpers_live_in_tests_support_and_no_tests_do():
    stray = [
        str(path.relative_to(ROOT))
        for path in suite_modules()
        if (SUPPORT in path.parents) == is_test_or_conftest(path)
    ]

    assert (SUPPORT / "dashboard.py").exists()
    assert stray == [], "helpers belong in tests/support/, test modules and conftest.py outside it"
