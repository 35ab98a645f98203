"""The yardstick of `make bench` measures the same stack as ours, minus our code.

`bench/bare_program` must register what our Dashboard-only stack registers (types, names,
parents, dependencies, secret outputs, input names) and export the same names, or its ratio
means nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.support.stack_program import BASE_CONFIG, run_program

if TYPE_CHECKING:
    from conftest import PulumiEngine

BARE = Path(__file__).resolve().parents[2] / "bench" / "bare_program" / "__main__.py"


def registered(engine: PulumiEngine) -> list[tuple[Any, ...]]:
    by_urn = {r.urn: r.name for r in engine.registrations}
    return sorted(
        (
            r.type,
            r.name,
            by_urn.get(r.parent, ""),
            sorted(by_urn[d] for d in r.dependencies),
            r.additional_secret_outputs,
            sorted(r.inputs),
        )
        for r in engine.registrations
    )


def test_bare_program_registers_and_exports_what_our_dashboard_only_stack_does(pulumi_engine):
    ours_exported = run_program(pulumi_engine, BASE_CONFIG)
    ours = registered(pulumi_engine)

    bare_exported = run_program(pulumi_engine, BASE_CONFIG, path=BARE)

    assert registered(pulumi_engine) == ours
    assert sorted(bare_exported) == sorted(ours_exported)
    assert type(bare_exported["token"]) is type(ours_exported["token"])  # both secret
