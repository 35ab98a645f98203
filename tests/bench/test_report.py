"""`make bench` rewrites only its own section of docs/benchmarks.md, so others' figures stay."""

from __future__ import annotations

from pathlib import Path

from bench.report import BEGIN, END, write_section

FLEET = "## Fleet\n\nThree customers: 41 s.\n"


def section(text: str) -> str:
    return f"{BEGIN}\n{text}\n{END}\n"


def test_first_write_appends_the_section_after_what_is_there(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\n{FLEET}")

    write_section(section("preview 1.05x"), doc)

    assert doc.read_text() == f"# Benchmarks\n\n{FLEET}\n{section('preview 1.05x')}"


def test_rewrite_replaces_only_the_old_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\n{section('preview 1.30x')}\n{FLEET}")

    write_section(section("preview 1.05x"), doc)

    assert doc.read_text() == f"# Benchmarks\n\n{section('preview 1.05x')}\n{FLEET}"


def test_missing_document_is_created_with_a_title(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"

    write_section(section("preview 1.05x"), doc)

    assert doc.read_text() == f"# Benchmarks\n\n{section('preview 1.05x')}"
