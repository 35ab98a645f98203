"""The fleet's pieces that need no engine: report format, exit codes, inputs, error lines."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from components.stack_config import StackConfigError, parse_stack_config
from providers.dashboard.credentials import DashboardCredentials
from scim_setup.cli.fleet.add import CustomerEntry, config_json, parse_config_flags
from scim_setup.cli.fleet.command import default_parallel
from scim_setup.cli.fleet.report import (
    CustomerResult,
    FleetReport,
    Status,
    read_report,
    write_report,
)
from scim_setup.cli.fleet.runner import _one_line
from scim_setup.cli.fleet.stacks import (
    HIDDEN_DASHBOARD_ENV,
    FleetError,
    last_line,
    matches,
    parse_patterns,
)
from scim_setup.cpus import usable_cpus

ROOT = Path(__file__).resolve().parents[2]

T0 = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)


def customer(stack: str, status: Status, changes: dict[str, int] | None = None) -> CustomerResult:
    return CustomerResult(
        stack=stack,
        command="preview",
        status=status,
        changes=changes or {},
        error="GET https://d/api/v1/scim returned 503" if status == "failed" else None,
        started=T0,
        ended=T0 + timedelta(seconds=3),
        log=f"/logs/{stack}.log",
    )


def report(*customers: CustomerResult) -> FleetReport:
    return FleetReport(
        command="preview", parallel=2, started=T0, ended=T0 + timedelta(seconds=9),
        customers=list(customers),
    )  # fmt: skip


def test_report_keeps_its_documented_field_names(tmp_path: Path):
    path = tmp_path / "report.json"
    write_report(report(customer("acme", "changes", {"update": 1})), path)

    document = json.loads(path.read_text())

    assert set(document) == {"version", "command", "parallel", "started", "ended", "customers"}
    assert document["version"] == 1
    assert set(document["customers"][0]) == {
        "stack", "command", "status", "changes", "error", "started", "ended", "log",
        "preview_json",
    }  # fmt: skip
    assert document["customers"][0]["started"] == "2026-11-29T04:00:00Z"
    assert read_report(path) == report(customer("acme", "changes", {"update": 1}))


def test_a_report_written_before_previews_kept_their_plan_still_reads(tmp_path: Path):
    path = tmp_path / "report.json"
    write_report(report(customer("acme", "changes", {"update": 1})), path)
    document = json.loads(path.read_text())
    del document["customers"][0]["preview_json"]
    path.write_text(json.dumps(document))

    assert read_report(path).customers[0].preview_json is None


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        (["ok", "ok"], 0),
        (["ok", "changes"], 3),
        (["changes", "failed"], 1),
        (["failed", "ok"], 1),
    ],
)
def test_exit_code_gates_on_failures_first_then_changes(statuses: list[Status], code: int):
    customers = [customer(f"c{i}", status) for i, status in enumerate(statuses)]

    assert report(*customers).exit_code() == code


def test_config_flags_become_nested_values():
    parsed = parse_config_flags(["scim:accountSizeGb=100", "scim:keepers.rotation=2026-11"])

    assert parsed == {"scim:accountSizeGb": "100", "scim:keepers": {"rotation": "2026-11"}}


def test_config_flag_without_a_namespace_is_refused():
    with pytest.raises(FleetError, match="NAMESPACE:KEY=VALUE"):
        parse_config_flags(["accountSizeGb=100"])


def test_config_json_keeps_objects_and_string_values_as_given():
    document = json.loads(
        config_json({"scim:keepers": {"rotation": "2026"}, "scim:enabled": True, "a:b": 5})
    )

    assert document["scim:keepers"]["value"] == '{"rotation": "2026"}'
    assert document["scim:keepers"]["objectValue"] == {"rotation": "2026"}
    assert document["scim:enabled"] == {"value": "true", "secret": False}
    assert document["a:b"] == {"value": "5", "secret": False}


def test_customer_entry_is_read_from_a_yaml_file(tmp_path: Path):
    path = tmp_path / "customers.yaml"
    path.write_text(
        "acme:\n"
        "  dashboardUrl: https://acme.dashboard.example.com\n"
        "  apiTokenEnv: ACME_TOKEN\n"
        "  config:\n"
        "    scim:accountSizeGb: 100\n"
        "    entra:application:\n"
        "      displayName: Backup SCIM\n"
    )

    entry = CustomerEntry.from_file(path, "acme")

    assert entry.dashboard_url == "https://acme.dashboard.example.com"
    assert entry.api_token_env == "ACME_TOKEN"
    assert entry.config["entra:application"] == {"displayName": "Backup SCIM"}
    with pytest.raises(FleetError, match="no entry `globex:`"):
        CustomerEntry.from_file(path, "globex")


def test_token_must_come_from_the_named_environment_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ACME_TOKEN", raising=False)
    entry = CustomerEntry("https://d.example.com", "ACME_TOKEN", {"dashboard:apiToken": "x"})

    with pytest.raises(FleetError, match="ACME_TOKEN is not set"):
        entry.token()
    with pytest.raises(FleetError, match="use --api-token-env"):
        entry.plain_config()


def test_error_line_is_the_exception_message_without_the_traceback():
    message = (
        "Traceback (most recent call last):\n"
        '  File "/x/providers/dashboard/client.py", line 174, in _call\n'
        "    raise DashboardUnavailableError(\n"
        "providers.dashboard.client.DashboardUnavailableError: GET https://d/api/v1/scim failed: "
        "could not reach the Dashboard\n"
    )

    assert _one_line(message) == "GET https://d/api/v1/scim failed: could not reach the Dashboard"
    assert _one_line("error: dashboard:url: not set\n") == "dashboard:url: not set"


def test_stack_globs_match_the_full_or_the_short_name():
    patterns = parse_patterns("eu-*, acme")

    assert patterns == ["eu-*", "acme"]
    assert matches("eu-contoso", patterns)
    assert matches("my-org/scim-setup/acme", patterns)
    assert not matches("us-globex", patterns)
    assert parse_patterns(None) == ["*"]


def test_cli_failure_reason_is_its_error_line_not_the_stream_labels():
    text = "\n code: 255\n stdout: Previewing\n    error: preview canceled\n\n stderr: \n"

    assert last_line(text) == "preview canceled"
    assert last_line("\n code: 1\n stdout: \n stderr: no stack named 'x' found\n") == (
        "no stack named 'x' found"
    )


def run_script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "scim-setup"
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, timeout=60, env=env, check=False
    )


def test_without_the_pulumi_cli_a_fleet_command_fails_in_one_line(tmp_path: Path):
    (tmp_path / "Pulumi.yaml").write_text("name: scim-setup\nruntime: python\n")
    env = {**os.environ, "PATH": "/usr/bin:/bin"}

    result = run_script("fleet", "up", "--cwd", str(tmp_path), env=env)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Pulumi CLI is not on PATH" in result.stderr
    assert "Traceback" not in result.stderr


def test_destroy_needs_yes():
    result = run_script("fleet", "destroy")

    assert result.returncode == 1
    assert "pass --yes" in result.stderr and "Traceback" not in result.stderr


def test_the_default_parallelism_is_the_portable_cpu_count():
    expected = os.process_cpu_count() if sys.version_info >= (3, 13) else os.cpu_count()

    assert default_parallel() == usable_cpus() == max(1, expected or 1)


def test_no_code_calls_the_linux_only_cpu_affinity():
    """`os.sched_getaffinity` is missing on macOS and Windows: `fleet` crashed there."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    calls = [
        path
        for path in listed
        if (ROOT / path).exists()
        and any(
            isinstance(node, ast.Attribute) and node.attr == "sched_getaffinity"
            for node in ast.walk(ast.parse((ROOT / path).read_text()))
        )
    ]

    assert calls == []


def test_the_ambient_dashboard_env_reads_as_unset_in_the_fleets_runs():
    connection = DashboardCredentials.from_config({}, HIDDEN_DASHBOARD_ENV)

    assert set(connection.problems()) == {"dashboard:url", "dashboard:apiToken"}
    with pytest.raises(StackConfigError, match="dashboard:url: required"):
        parse_stack_config({"scim:accountSizeGb": "50"}, environ=HIDDEN_DASHBOARD_ENV)
