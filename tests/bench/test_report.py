"""`make bench`: the emulator's row against its bound, the whole setup's rows with their Graph
calls, and only its own section of the document.

docs/benchmarks.md holds others' figures too (the fleet), which a rewrite must keep.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.commands import (
    WHOLE_SETUP,
    WHOLE_SETUP_COMMANDS,
    CommandTimes,
    Sample,
    bare_entra_program,
    graph_calls,
)
from bench.report import BEGIN, END, HEADER, command_rows, emulator_row, markdown, write_section

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


def times(command: str, graph: dict[str, list[str]] | None = None) -> CommandTimes:
    samples = [Sample(2.0, 1.0), Sample(3.0, 1.5)]
    return CommandTimes(
        command,
        ours=samples,
        bare=samples,
        dashboard_calls=["GET /api/v1/scim"],
        graph_calls=graph or {},
    )


WHOLE_SETUP_ROWS = [WHOLE_SETUP + name for name in WHOLE_SETUP_COMMANDS]


def test_whole_setup_rows_are_first_up_no_op_up_and_refresh() -> None:
    assert WHOLE_SETUP_ROWS == [
        "whole setup: first up",
        "whole setup: no-op up",
        "whole setup: refresh",
    ]


def test_whole_setup_row_shows_the_graph_calls_of_ours_and_bare_and_claims_no_target() -> None:
    graph = {"ours": ["GET /v1.0/a", "POST /v1.0/b", "GET /v1.0/c"], "bare": ["GET /v1.0/a"]}

    row = command_rows([times("whole setup: no-op up", graph)])[0]

    assert (row.measure, row.graph_calls, row.dashboard_calls) == (
        "whole setup: no-op up",
        "3 / 1",
        "1: GET scim",
    )
    assert (row.target, row.met) == ("", None)


def test_dashboard_only_row_keeps_its_target_and_has_no_graph_calls() -> None:
    row = command_rows([times("no-op up")])[0]

    assert (row.target, row.graph_calls) == ("≤ 1.20x", "")
    assert row.met is not None


def test_markdown_table_has_a_graph_column_in_every_row() -> None:
    rows = [*command_rows([times("refresh"), times("whole setup: refresh", {"ours": ["x"]})])]

    text = markdown(rows, {"date": "today"}, rounds=5, whole_setup_rounds=3)

    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table[0] == "| " + " | ".join(HEADER) + " |"
    assert HEADER[-1] == "Graph calls (ours / bare)"
    assert all(line.count("|") == len(HEADER) + 1 for line in table)
    assert table[-1].endswith("| 1 / 0 |")


def test_graph_calls_count_graph_api_calls_only() -> None:
    logged = [
        {"method": "POST", "path": "/tenant/oauth2/v2.0/token", "status": 200},
        {"method": "GET", "path": "/v1.0/servicePrincipals/sp", "status": 200},
        {"method": "GET", "path": "/beta/applications/app", "status": 200},
        {"method": "GET", "path": "/_fake/requests", "status": 200},
    ]

    assert graph_calls(logged) == ["GET /v1.0/servicePrincipals/sp", "GET /beta/applications/app"]


def test_bare_whole_setup_program_is_one_python_program_with_the_azuread_resources() -> None:
    text = bare_entra_program()

    code = compile(text, "__main__.py", "exec")

    names = set(code.co_names)
    assert {"DashboardScim", "entra_step", "setup"} <= names
    for resource in ("ApplicationFromTemplate", "SynchronizationSecret", "AppRoleAssignment"):
        assert f"azuread.{resource}(" in text
    assert "azuread.SynchronizationJob(" in text
    assert text.rstrip().endswith("entra_step(setup.tenant_url, setup.token)")
