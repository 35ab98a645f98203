"""`scim-setup review` on real previews of the Dashboard step, and on an Entra-shaped plan.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The real previews run the console script against a stack of the real program on the emulator,
each changing one thing from the deployed config; the Markdown is compared in full.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scim_setup.cli.fleet.report import Command, CustomerResult, FleetReport, Status, write_report
from scim_setup.cli.fleet.review import fleet_markdown
from scim_setup.cli.preview_changes import PolicyViolation
from scim_setup.cli.review_markdown import violation_text
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from tests.engine.conftest import new_stack, pulumi_cli
from tests.policy.conftest import policy_pack
from tests.support.console_script import SCRIPT

__all__ = ["policy_pack", "pulumi_cli"]

HEADER = "### SCIM setup review: stack `engine`\n\n"
DATA = Path(__file__).parent / "data"


def review(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [str(SCRIPT), "review", "--stack", stack.stack, *stack.config_args(), *args]
    return subprocess.run(
        argv, cwd=stack.project_dir, env=stack.env, capture_output=True, text=True, timeout=300
    )


def review_saved(*args: str) -> subprocess.CompletedProcess[str]:
    """`scim-setup review ARGS` on a saved preview or report: no stack, no engine."""
    argv = [str(SCRIPT), "review", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def stack(
    pulumi_cli: str, emulator: EmulatorProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    """The Dashboard step deployed with 50 GB accounts and keepers {rotation: 2026-11}."""
    for made in new_stack(tmp_path_factory.mktemp("review"), emulator):
        made.set_config("scim:rotateAfterDays", "90")
        made.set_config("scim:keepers", '{"rotation": "2026-11"}')
        made.up()
        yield made


@pytest.fixture
def secrets(stack: LocalStack, emulator: EmulatorProcess) -> list[str]:
    return [emulator.admin_token, stack.outputs(show_secrets=True)["token"]]


def assert_no_secret(text: str, secrets: list[str]) -> None:
    leaked = [i for i, secret in enumerate(secrets) if secret in text]
    assert leaked == [], f"secret #{leaked} appears in the review"


def test_no_change_says_so(stack, secrets):
    result = review(stack)

    assert result.returncode == 0, result.stderr
    assert result.stdout == HEADER + "No changes: the setup already matches this configuration.\n"
    assert_no_secret(result.stdout + result.stderr, secrets)


def test_account_size_change_in_plain_words(stack, secrets):
    stack.set_config("scim:accountSizeGb", "100")
    try:
        result = review(stack)
    finally:
        stack.remove_config("scim:accountSizeGb")

    assert result.returncode == 0, result.stderr
    assert result.stdout == HEADER + (
        "**Changes**\n"
        "- New backup accounts will get 100 GB instead of 50.\n"
        "\n"
        "<sub>pulumi preview: 1 to update.</sub>\n"
    )
    assert_no_secret(result.stdout + result.stderr, secrets)


def test_keepers_change_announces_the_token_replacement(stack, secrets):
    stack.set_config("scim:keepers", '{"rotation": "2026-12"}')
    try:
        result = review(stack)
    finally:
        stack.set_config("scim:keepers", '{"rotation": "2026-11"}')

    assert result.returncode == 0, result.stderr
    assert result.stdout == HEADER + (
        "**⚠️ Needs attention**\n"
        "- The token will be regenerated (keepers changed: rotation 2026-11 → 2026-12); the old "
        "one stops working and Entra needs the new one pasted (this stack has no Entra step).\n"
        "\n"
        "<sub>pulumi preview: 1 to replace.</sub>\n"
    )
    assert_no_secret(result.stdout + result.stderr, secrets)


def test_scim_switched_off_is_a_warning(stack, secrets, tmp_path):
    stack.set_config("scim:enabled", "false")
    try:
        saved = stack.preview("--json").stdout
    finally:
        stack.remove_config("scim:enabled")
    (tmp_path / "preview.json").write_text(saved)

    result = review_saved("--preview-json", str(tmp_path / "preview.json"))

    assert result.returncode == 0, result.stderr
    assert result.stdout == HEADER + (
        "**⚠️ Needs attention**\n"
        "- SCIM user management will be switched off: the Dashboard stops accepting Entra's "
        "provisioning requests.\n"
        "\n"
        "<sub>pulumi preview: 1 to update.</sub>\n"
    )
    assert_no_secret(result.stdout + result.stderr, secrets)


ACCOUNT_SIZE_MESSAGE = (
    "Backup accounts get between minAccountSizeGb and maxAccountSizeGb GB. scim:accountSizeGb is "
    "5000 GB; this organisation gives each backup account 10 to 1000 GB: `pulumi config set "
    "scim:accountSizeGb <10..1000>`."
)
TOKEN_ROTATION_MESSAGE = (
    "The SCIM token is rotated at least every maxRotateAfterDays days. scim:rotateAfterDays is not "
    "set, so the SCIM token never expires: `pulumi config set scim:rotateAfterDays 180` (or fewer "
    "days)."
)


def test_policy_violation_is_listed_with_rule_severity_resource_and_message(
    stack, secrets, policy_pack
):
    stack.set_config("scim:accountSizeGb", "5000")
    try:
        result = review(stack, "--policy-pack", str(policy_pack))
    finally:
        stack.remove_config("scim:accountSizeGb")

    assert result.returncode == 0, result.stderr
    assert result.stdout == HEADER + (
        "> ⚠️ `pulumi preview` failed: 1 mandatory policy violation, listed below\n"
        "\n"
        "**⛔ Policy violations**\n"
        "- **Mandatory** `account-size-bounds` (scim-setup) on ScimSettings `dashboard-settings`: "
        f"{ACCOUNT_SIZE_MESSAGE}\n"
        "\n"
        "**Changes**\n"
        "- New backup accounts will get 5000 GB instead of 50.\n"
        "\n"
        "<sub>pulumi preview: 1 to update.</sub>\n"
    )
    assert_no_secret(result.stdout + result.stderr, secrets)


def test_saved_event_log_lists_mandatory_violations_before_advisory_ones():
    """The fixture is a real preview of a new stack without scim:rotateAfterDays and with 5000 GB
    accounts, run with the pack and `{"account-size-bounds": {"enforcementLevel": "advisory"}}`:
    the engine logged the advisory finding first."""
    result = review_saved(
        "--preview-json",
        str(DATA / "policy-preview.json"),
        "--event-log",
        str(DATA / "policy-events.jsonl"),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == HEADER + (
        "> ⚠️ `pulumi preview` failed: 1 mandatory policy violation, listed below\n"
        "\n"
        "**⛔ Policy violations**\n"
        "- **Mandatory** `token-rotation` (scim-setup) on ScimToken `dashboard-token`: "
        f"{TOKEN_ROTATION_MESSAGE}\n"
        "- Advisory `account-size-bounds` (scim-setup) on ScimSettings `dashboard-settings`: "
        f"{ACCOUNT_SIZE_MESSAGE}\n"
        "\n"
        "**Changes**\n"
        "- SCIM user management will be switched on in the Dashboard; new backup accounts will get "
        "5000 GB.\n"
        "- A SCIM API token will be generated.\n"
        "- ScimConnectionTest 'dashboard-test-connection' will be created.\n"
        "\n"
        "<sub>pulumi preview: 3 to create.</sub>\n"
    )


def test_colour_markup_of_a_log_written_with_color_always_is_dropped():
    """An event as the CLI logged it when the fixture's preview ran again with `--color always`."""
    event = {
        "resourceUrn": "urn:pulumi:engine::scim-setup::scim-setup:dashboard:DashboardScim"
        "$pulumi-python:dynamic/dashboard:ScimSettings::dashboard-settings",
        "message": "<{%reset%}>Backup accounts get between minAccountSizeGb and maxAccountSizeGb "
        "GB.\nscim:accountSizeGb is 5000 GB; this organisation gives each backup account 10 to "
        "1000 GB: `pulumi config set scim:accountSizeGb <10..1000>`<{%reset%}>\n",
        "color": "raw",
        "policyName": "account-size-bounds",
        "policyPackName": "scim-setup",
        "policyPackVersion": "0.1.0",
        "policyPackVersionTag": "0.1.0",
        "enforcementLevel": "advisory",
    }

    violation = PolicyViolation.from_event(event)

    assert violation_text(violation) == (
        "Advisory `account-size-bounds` (scim-setup) on ScimSettings `dashboard-settings`: "
        + ACCOUNT_SIZE_MESSAGE.removesuffix(".")
    )


def test_event_log_that_is_not_one_is_one_line_and_exit_1(tmp_path):
    bad = tmp_path / "events.jsonl"
    bad.write_text('{"steps": []}\n')

    result = review_saved(
        "--preview-json", str(DATA / "policy-preview.json"), "--event-log", str(bad)
    )

    assert result.returncode == 1
    assert result.stderr == (
        f"scim-setup review: {bad} is not a `pulumi preview --event-log` file\n"
    )


def test_event_log_without_its_saved_preview_is_one_line_and_exit_1():
    result = review_saved("--event-log", str(DATA / "policy-events.jsonl"))

    assert result.returncode == 1
    assert result.stderr == (
        "scim-setup review: --event-log goes with --preview-json (a preview run here logs its "
        "own)\n"
    )


ENTRA_CHANGES = (
    "**Changes**\n"
    "- New backup accounts will get 100 GB instead of 50.\n"
    "- The token will be regenerated (keepers changed: rotation 2026-11 → 2026-12) and Entra "
    "updated in the same run.\n"
    "- Entra's provisioning credentials (tenant URL, token, settings) changed (secret).\n"
    "\n"
    "<sub>pulumi preview: 2 to update, 1 to replace, 1 to delete.</sub>\n"
)
"""The Entra plan's changes that are not warnings: the same words for one stack and in a fleet."""


def test_entra_plan_names_scope_token_and_risks():
    result = review_saved("--preview-json", str(DATA / "entra-preview.json"))

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "### SCIM setup review: stack `prod`\n"
        "\n"
        "**⚠️ Needs attention**\n"
        "- Every user and group of the tenant will be provisioned, not only the assigned groups "
        "(entra:syncAll is on).\n"
        "- Group Sales leaves provisioning scope: its members lose their accounts.\n"
        "\n" + ENTRA_CHANGES
    )
    assert "scim-secret" not in result.stdout


def test_json_lists_each_change_with_its_risk():
    result = review_saved("--json", "--preview-json", str(DATA / "entra-preview.json"))

    changes = json.loads(result.stdout)
    assert {
        "text": "new backup accounts will get 100 GB instead of 50",
        "warning": False,
    } in changes
    assert sum(c["warning"] for c in changes) == 2


def test_unreadable_preview_is_one_line_and_exit_1(tmp_path):
    bad = tmp_path / "preview.json"
    bad.write_text("not json")

    result = review_saved("--preview-json", str(bad))

    assert result.returncode == 1
    assert (
        result.stderr == f"scim-setup review: {bad} is not the output of `pulumi preview --json`\n"
    )


def fleet_report(tmp_path: Path, command: Command = "preview") -> Path:
    """A fleet preview of three customers: one with the Entra plan, one failed, one unchanged."""
    t0 = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)

    def customer(stack: str, status: Status, **fields: Any) -> CustomerResult:
        return CustomerResult(
            stack=stack, command="preview", status=status, started=t0, ended=t0,
            log=f"/logs/{stack}.log", **{"changes": {}, "error": None, **fields},
        )  # fmt: skip

    report = FleetReport(
        command=command, parallel=2, started=t0, ended=t0,
        customers=[
            customer("acme", "changes", changes={"update": 2, "replace": 1, "delete": 1},
                     preview_json=str(DATA / "entra-preview.json")),
            customer("globex", "failed", error="GET https://globex.example/api/v1/scim returned "
                     "503 Service Unavailable. Try again later."),
            customer("initech", "ok", preview_json=str(DATA / "entra-preview.json")),
        ],
    )  # fmt: skip
    path = tmp_path / "report.json"
    write_report(report, path)
    return path


def test_fleet_report_is_one_comment_with_every_customers_warnings_first(tmp_path):
    result = review_saved("--fleet-report", str(fleet_report(tmp_path)))

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "### SCIM setup review: fleet preview of 3 customers\n"
        "\n"
        "3 customers: 1 with changes (`acme`), 1 failed (`globex`), 1 unchanged.\n"
        "\n"
        "**⚠️ Needs attention**\n"
        "- `acme`: Every user and group of the tenant will be provisioned, not only the assigned "
        "groups (entra:syncAll is on).\n"
        "- `acme`: Group Sales leaves provisioning scope: its members lose their accounts.\n"
        "\n"
        "#### `acme`\n"
        "\n" + ENTRA_CHANGES + "\n"
        "#### `globex`: failed\n"
        "\n"
        "> GET https://globex.example/api/v1/scim returned 503 Service Unavailable. Try again "
        "later.\n"
    )
    assert "[secret]" not in result.stdout, "a secret is only ever said to be changed"


def test_fleet_report_of_an_up_is_one_line_and_exit_1(tmp_path):
    path = fleet_report(tmp_path, command="up")

    result = review_saved("--fleet-report", str(path))

    assert result.returncode == 1
    assert result.stderr == (
        "scim-setup review: this is a `fleet up` report; review reads fleet previews\n"
    )


def test_fleet_customer_without_a_kept_plan_shows_its_counts():
    t0 = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    old = CustomerResult(
        stack="acme", command="preview", status="changes", changes={"update": 1}, error=None,
        started=t0, ended=t0, log="/logs/acme.log",
    )  # fmt: skip
    report = FleetReport(command="preview", parallel=1, started=t0, ended=t0, customers=[old])

    assert fleet_markdown(report, plans={}) == (
        "### SCIM setup review: fleet preview of 1 customer\n"
        "\n"
        "1 customer: 1 with changes (`acme`), 0 failed, 0 unchanged.\n"
        "\n"
        "#### `acme`\n"
        "\n"
        "Changes (1 to update); this report keeps no plan to describe them.\n"
    )
