"""Our packages import each other without a cycle.

A cycle makes the import order matter (whichever module a caller imports first sees the other
half-initialised), and two modules that need each other are one concern split in two. An import
moved into a function to dodge the first problem still has the second, so it counts; only
`if TYPE_CHECKING:` imports, which never run, do not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("components", "providers", "scim_setup", "policy")
KNOWN_CYCLES: set[frozenset[str]] = set()
"""Cycles still to remove, each with the branch that removes it; none now."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "venv" not in path.relative_to(ROOT).parts
    }


def runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that can run, in functions too; not those under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from runtime_imports(ast.Module(body=[child], type_ignores=[]))
        else:
            yield from runtime_imports(node)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that `module` imports, at once or later."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in runtime_imports(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    named = {name for name in found if name in modules}
    # `from package import module` names the module; `from package import name` the package.
    return {name for name in named if not any(other.startswith(name + ".") for other in named)}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan), or a self-import."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = our_modules()
    return {module: imported(module, path, modules) for module, path in modules.items()}


def test_the_check_finds_a_cycle_and_only_the_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}

    assert sorted(map(sorted, cycles(graph))) == [["a", "b", "c"], ["e"]]


def test_imports_in_functions_count_and_type_checking_ones_do_not():
    source = (
        "import typing\nimport a\nif typing.TYPE_CHECKING:\n    import b\nelse:\n    import f\n"
        "try:\n    import c\nexcept ImportError:\n    import d\ndef g():\n    import e\n"
    )
    names = {alias.name for node in runtime_imports(ast.parse(source)) for alias in node.names}

    assert names == {"typing", "a", "c", "d", "e", "f"}


def test_our_packages_have_no_import_cycle():
    found = set(cycles(import_graph()))

    assert {", ".join(sorted(cycle)) for cycle in found - KNOWN_CYCLES} == set()
    assert KNOWN_CYCLES - found == set(), "a known cycle is gone: drop it from KNOWN_CYCLES"
