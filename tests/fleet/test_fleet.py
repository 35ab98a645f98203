"""`scim-setup fleet` over three customers, each with its own Dashboard (an emulator process).

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The tests share one fleet and run top to bottom, as an operator's sequence of commands would, each
leaving the fleet as its command did for the next: add the customers, set them all up, change one,
lose one Dashboard, look, and tear down.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from scim_setup.cli.fleet.report import FleetReport, read_report
from tests.fleet.conftest import CUSTOMERS, Fleet
from tests.support.leaks import assert_not_leaked

SIZES = {"cust-a": 10, "cust-b": 20, "cust-c": 30}
OUTPUT: list[str] = []
"""Everything the fleet commands printed, checked for tokens at the end."""


def fleet_cli(fleet: Fleet, *args: str) -> tuple[int, str]:
    """Exit code and everything printed (stdout, then stderr)."""
    result = fleet.cli("fleet", *args)
    OUTPUT.extend([result.stdout, result.stderr])
    return result.returncode, result.stdout + result.stderr


def run_with_report(fleet: Fleet, command: str, *args: str) -> tuple[int, str, FleetReport]:
    path = fleet.work / f"report-{command}-{len(OUTPUT)}.json"
    code, output = fleet_cli(fleet, command, "--report", str(path), *args)
    return code, output, read_report(path)


def by_stack(report: FleetReport) -> dict[str, tuple[str, dict[str, int]]]:
    return {c.stack: (c.status, c.changes) for c in report.customers}


def resource_count(fleet: Fleet, name: str) -> int:
    """Resources the backend holds for one customer's stack (providers are not counted as steps)."""
    resources = fleet.stack(name).resources()
    return sum(not r["type"].startswith("pulumi:providers:") for r in resources)


def peak_concurrency(report: FleetReport) -> int:
    """The most stacks whose [started, ended) intervals overlap at any instant."""
    edges: list[tuple[datetime, int]] = []
    for customer in report.customers:
        edges += [(customer.started, 1), (customer.ended, -1)]
    running = peak = 0
    for _, step in sorted(edges):  # at equal times an end (-1) sorts before a start (+1)
        running += step
        peak = max(peak, running)
    return peak


def test_add_writes_each_customers_stack_file_with_the_token_encrypted(fleet: Fleet):
    for name, customer in fleet.customers.items():
        code, output = fleet_cli(
            fleet,
            "add",
            name,
            "--dashboard-url",
            customer.emulator.url,
            "--api-token-env",
            customer.token_env,
            "--account-size-gb",
            str(SIZES[name]),
            "--secrets-provider",
            "passphrase",
        )
        assert code == 0, output

        stack_file = (fleet.project / f"Pulumi.{name}.yaml").read_text()
        assert_not_leaked(stack_file, customer.emulator.admin_token, f"Pulumi.{name}.yaml")
        assert "dashboard:apiToken:\n    secure: v1:" in stack_file
        assert "encryptionsalt: v1:" in stack_file
        assert f"dashboard:url: {customer.emulator.url}" in stack_file
        decrypted = fleet.stack(name).run("config", "get", "dashboard:apiToken").stdout.strip()
        assert decrypted == customer.emulator.admin_token, "the stored ciphertext is not the token"


def test_add_refuses_a_bad_value_and_creates_nothing(fleet: Fleet):
    code, output = fleet_cli(
        fleet,
        "add",
        "cust-bad",
        "--dashboard-url",
        "http://dashboard.example.com",
        "--api-token-env",
        fleet.customers["cust-a"].token_env,
    )

    assert code == 1
    assert "dashboard:url" in output and "use https" in output
    assert "Traceback" not in output
    assert not (fleet.project / "Pulumi.cust-bad.yaml").exists()


UP_REPORT: list[FleetReport] = []


def test_up_sets_up_every_customer(fleet: Fleet):
    code, output, report = run_with_report(fleet, "up", "--parallel", "2")

    assert code == 0, output
    created = {name: resource_count(fleet, name) for name in CUSTOMERS}
    assert min(created.values()) >= 4  # the stack, the component, SCIM settings, the token, …
    assert by_stack(report) == {name: ("ok", {"create": created[name]}) for name in CUSTOMERS}
    for name, customer in fleet.customers.items():
        settings = customer.dashboard.settings()
        assert settings["enabled"] is True
        assert settings["accountSizeGb"] == SIZES[name]
        assert settings["token"] is not None
        assert Path(report.customers[CUSTOMERS.index(name)].log).read_text()
    UP_REPORT.append(report)


def test_parallel_2_never_runs_more_than_two_stacks_at_once(fleet: Fleet):
    (report,) = UP_REPORT

    assert report.parallel == 2
    assert peak_concurrency(report) == 2
    first_end = min(c.ended for c in report.customers)
    last_start = max(c.started for c in report.customers)
    assert last_start >= first_end, "the third stack started before a slot was free"


def test_preview_reports_changes_for_the_changed_customer_only(fleet: Fleet):
    fleet.set_account_size("cust-b", 250)
    for customer in fleet.customers.values():
        customer.dashboard.clear_requests()

    code, output, report = run_with_report(fleet, "preview")

    assert code == 3, output
    assert by_stack(report) == {
        "cust-a": ("ok", {}),
        "cust-b": ("changes", {"update": 1}),
        "cust-c": ("ok", {}),
    }
    for customer in fleet.customers.values():
        assert customer.dashboard.writes() == []


def test_up_touches_only_the_changed_customers_dashboard(fleet: Fleet):
    for customer in fleet.customers.values():
        customer.dashboard.clear_requests()

    code, output, report = run_with_report(fleet, "up")

    assert code == 0, output
    assert by_stack(report)["cust-b"] == ("ok", {"update": 1})
    dashboards = {name: customer.dashboard for name, customer in fleet.customers.items()}
    assert [(w["method"], w["path"]) for w in dashboards["cust-b"].writes()] == [
        ("PUT", "/api/v1/scim")
    ]
    assert dashboards["cust-b"].settings()["accountSizeGb"] == 250
    assert dashboards["cust-a"].writes() == []
    assert dashboards["cust-c"].writes() == []


def test_review_of_a_fleet_preview_gives_each_customers_changes_in_domain_words(fleet: Fleet):
    fleet.set_account_size("cust-b", 260)
    down = fleet.customers["cust-c"]
    down.emulator.stop()
    path = fleet.work / "report-preview-for-review.json"
    try:  # --refresh reads every Dashboard, so the one that is down fails its preview
        code, output = fleet_cli(fleet, "preview", "--refresh", "--report", str(path))
    finally:
        down.emulator.restart()
    results = {c.stack: c for c in read_report(path).customers}

    review = fleet.cli("review", "--fleet-report", str(path))
    OUTPUT.extend([review.stdout, review.stderr])

    assert code == 1, output
    assert review.returncode == 0, review.stderr
    assert review.stdout == (
        "### SCIM setup review: fleet preview of 3 customers\n"
        "\n"
        "3 customers: 1 with changes (`cust-b`), 1 failed (`cust-c`), 1 unchanged.\n"
        "\n"
        "#### `cust-b`\n"
        "\n"
        "**Changes**\n"
        "- New backup accounts will get 260 GB instead of 250.\n"
        "\n"
        "<sub>pulumi preview: 1 to update.</sub>\n"
        "\n"
        "#### `cust-c`: failed\n"
        "\n"
        f"> Preview failed: GET {down.emulator.url}/api/v1/scim: no answer (connection failed or "
        "was dropped) after 4 retries. Check `dashboard:url` and that the Dashboard is up, then "
        "run the command again.\n"
    )
    assert all(c.preview_json for c in results.values()), "each preview keeps its plan"
    failed_log = Path(results["cust-c"].log).read_text()
    assert "error: Preview failed: GET" in failed_log and "debug:" not in failed_log
    tokens = [c.emulator.admin_token for c in fleet.customers.values()]
    for token in [*tokens, fleet.stack("cust-b").outputs(show_secrets=True)["token"]]:
        assert_not_leaked(review.stdout, token, "the fleet review")


def test_one_dashboard_down_fails_its_row_and_the_others_converge(fleet: Fleet):
    for name in CUSTOMERS:
        fleet.set_account_size(name, 300)
    down = fleet.customers["cust-c"]
    down.emulator.stop()
    try:
        code, output, report = run_with_report(fleet, "up")
    finally:
        down.emulator.restart()

    assert code == 1
    results = {c.stack: c for c in report.customers}
    assert results["cust-a"].status == results["cust-b"].status == "ok"
    assert results["cust-c"].status == "failed"
    error = results["cust-c"].error or ""
    assert f"{down.emulator.url}/api/v1/scim" in error
    assert "that the Dashboard is up" in error
    assert "\n" not in error and "Traceback" not in error
    assert "cust-c" in output and "Traceback" not in output
    for name in ("cust-a", "cust-b"):
        assert fleet.customers[name].dashboard.settings()["accountSizeGb"] == 300


def test_status_shows_each_customers_last_update(fleet: Fleet):
    result = fleet.cli("fleet", "status", "--json")

    assert result.returncode == 1, "a customer whose last update failed must fail the check"
    rows = {row["stack"]: row for row in json.loads(result.stdout)}
    assert {name: rows[name]["result"] for name in CUSTOMERS} == {
        "cust-a": "succeeded",
        "cust-b": "succeeded",
        "cust-c": "failed",
    }
    assert rows["cust-a"]["dashboard_url"] == fleet.customers["cust-a"].emulator.url


def test_matrix_lists_the_selected_stacks_for_ci(fleet: Fleet):
    result = fleet.cli("fleet", "matrix", "--stacks", "cust-a,*-c")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"include": [{"stack": "cust-a"}, {"stack": "cust-c"}]}


def test_a_glob_matching_no_stack_is_one_clear_line(fleet: Fleet):
    code, output = fleet_cli(fleet, "up", "--stacks", "nobody-*")

    assert code == 1
    assert output.strip().count("\n") == 0
    assert "no stack matches" in output and "cust-a" in output


def test_the_failed_customer_converges_on_the_next_up(fleet: Fleet):
    code, output, report = run_with_report(fleet, "up", "--stacks", "cust-c")

    assert code == 0, output
    assert by_stack(report) == {"cust-c": ("ok", {"update": 1})}
    assert fleet.customers["cust-c"].dashboard.settings()["accountSizeGb"] == 300


def test_preview_refresh_reports_drift_made_in_one_dashboards_ui(fleet: Fleet):
    fleet.customers["cust-a"].dashboard.put_settings(enabled=True, account_size_gb=5)
    for customer in fleet.customers.values():
        customer.dashboard.clear_requests()

    code, output, report = run_with_report(fleet, "preview", "--refresh")

    assert code == 3, output
    statuses = {c.stack: c.status for c in report.customers}
    assert statuses == {"cust-a": "changes", "cust-b": "ok", "cust-c": "ok"}
    for customer in fleet.customers.values():
        assert customer.dashboard.writes() == []


def test_destroy_undoes_every_customer_and_no_token_was_printed(fleet: Fleet):
    created = {name: resource_count(fleet, name) for name in CUSTOMERS}
    tokens = [fleet.stack(name).outputs(show_secrets=True)["token"] for name in CUSTOMERS] + [
        customer.emulator.admin_token for customer in fleet.customers.values()
    ]

    code, output, report = run_with_report(fleet, "destroy", "--yes")

    assert code == 0, output
    assert by_stack(report) == {name: ("ok", {"delete": created[name]}) for name in CUSTOMERS}
    assert {name: resource_count(fleet, name) for name in CUSTOMERS} == dict.fromkeys(CUSTOMERS, 0)
    for customer in fleet.customers.values():
        settings = customer.dashboard.settings()
        assert settings["enabled"] is False
        assert settings["token"] is None
    logs = "\n".join(path.read_text() for path in (fleet.project / ".fleet").rglob("*.*"))
    reports = "\n".join(path.read_text() for path in fleet.work.glob("report-*.json"))
    for token in tokens:
        assert_not_leaked("\n".join(OUTPUT), token, "the fleet commands' output")
        assert_not_leaked(logs, token, "the per-stack logs and preview plans")
        assert_not_leaked(reports, token, "the fleet reports")
