"""One wording of a quarantine: `up`'s failure, `provisioning_attention`, `scim-setup status`."""

from __future__ import annotations

from dataclasses import asdict

from providers.graph.client import QuarantineInfo
from providers.graph.quarantine_summary import quarantine_summary

QUARANTINE = QuarantineInfo(
    reason="TooManyDeletes",
    current_began="2026-11-29T10:00:00Z",
    next_attempt="2026-11-29T16:00:00Z",
    series_count=1,
    error="Too many deletes in one cycle.\n Review the accidental-deletion threshold.",
)


def test_reason_start_next_attempt_and_error_in_one_line_without_a_final_period():
    assert quarantine_summary(QUARANTINE) == (
        "(TooManyDeletes) since 2026-11-29T10:00:00Z; Entra tries again at 2026-11-29T16:00:00Z; "
        "Too many deletes in one cycle. Review the accidental-deletion threshold"
    )


def test_the_job_status_output_reads_the_same_as_graphs_answer():
    assert quarantine_summary(asdict(QUARANTINE)) == quarantine_summary(QUARANTINE)


def test_status_renders_the_start_its_own_way():
    summary = quarantine_summary(QUARANTINE, began=lambda stamp: f"<{stamp}>")

    assert summary.startswith("(TooManyDeletes) since <2026-11-29T10:00:00Z>; ")


def test_missing_fields_are_left_out_and_a_missing_reason_says_so():
    assert quarantine_summary(None) == "(unknown reason)"
    assert quarantine_summary({"reason": "EncounteredQuarantineException"}) == (
        "(EncounteredQuarantineException)"
    )
