"""`make bench`: the emulator's row against its bound, and only its own section of the document.

docs/benchmarks.md holds others' figures too (the fleet), which a rewrite must keep.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.report import BEGIN, END, emulator_row, write_section

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


def figures(cpu_ms: float | None, errors: int = 0) -> dict[str, object]:
    return {"server_cpu_ms_per_request": cpu_ms, "requests": 30_000, "errors": errors}


@pytest.mark.parametrize(("cpu_ms", "met"), [(0.8, True), (1.5, True), (1.51, False)])
def test_emulator_row_holds_cpu_per_request_to_one_and_a_half_ms(cpu_ms: float, met: bool) -> None:
    row = emulator_row(figures(cpu_ms))

    assert (row.ours, row.target, row.met) == (f"{cpu_ms:.2f}", "≤ 1.5 ms", met)


def test_emulator_row_with_failed_requests_is_not_met() -> None:
    row = emulator_row(figures(0.8, errors=3))

    assert row.met is False
    assert row.dashboard_calls == "30000 requests, 3 errors"


def test_emulator_row_without_a_cpu_figure_claims_nothing() -> None:
    row = emulator_row(figures(None))

    assert (row.ours, row.met) == ("n/a", None)
