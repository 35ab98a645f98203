"""When the live target runs, and what its skip says (no engine, no network)."""

from __future__ import annotations

from tests.realtenant.conftest import GRAPH_CREDENTIAL_ENV, LIVE_ENV, live_problem

COMPLETE = {name: "x" for name in LIVE_ENV} | {"ARM_USE_OIDC": "true"}


def test_the_live_target_runs_with_every_credential_set():
    assert live_problem(COMPLETE) is None
    for credential in GRAPH_CREDENTIAL_ENV:
        assert live_problem({**dict.fromkeys(LIVE_ENV, "x"), credential: "x"}) is None


def test_the_skip_names_every_missing_variable_and_no_value():
    problem = live_problem({"ARM_TENANT_ID": "tenant-value-7d1"})

    assert problem is not None
    assert all(name in problem for name in LIVE_ENV if name != "ARM_TENANT_ID")
    assert "ARM_TENANT_ID" not in problem and "tenant-value-7d1" not in problem
    assert " or ".join(GRAPH_CREDENTIAL_ENV) in problem


def test_an_empty_variable_counts_as_missing():
    assert live_problem({**COMPLETE, "SCIM_SETUP_LIVE_DASHBOARD_API_TOKEN": ""}) is not None
