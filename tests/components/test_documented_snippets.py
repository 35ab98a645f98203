"""Every Python block of README.md and docs/ runs as written, so a documented import or call
cannot break unnoticed.

Each block runs as a Pulumi program under the same mocks as the stack program (a block that
declares no resources runs just as well), with a minimal valid stack config.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.stack_program import BASE_CONFIG, run_program

if TYPE_CHECKING:
    from conftest import PulumiEngine

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
PYTHON_BLOCK = re.compile(r"^```(?:python|py)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[tuple[str, str]]:
    """(`document:line`, code) of each fenced Python block."""
    blocks = []
    for document in DOCUMENTS:
        text = document.read_text()
        for found in PYTHON_BLOCK.finditer(text):
            line = text.count("\n", 0, found.start()) + 1
            blocks.append((f"{document.relative_to(ROOT)}:{line}", found.group(1)))
    return blocks


BLOCKS = python_blocks()


def test_the_readme_shows_python_usage():
    assert any(where.startswith("README.md:") for where, _ in BLOCKS)


@pytest.mark.parametrize("code", [code for _, code in BLOCKS], ids=[where for where, _ in BLOCKS])
def test_documented_python_block_runs(code: str, pulumi_engine: PulumiEngine, tmp_path: Path):
    program = tmp_path / "snippet.py"
    program.write_text(code)

    run_program(pulumi_engine, BASE_CONFIG, path=program)  # raises what the block raises
