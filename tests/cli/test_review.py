"""`scim-setup review` on real previews of the Dashboard step and of the whole setup.

PYTEST_DONT_REWRITE: these tests hold real tokens; a failing assertion must not print them.

The Dashboard previews run the console script against a stack of the real program on the
emulator, each changing one thing from the deployed config. The whole setup's previews are
recorded (`make review-fixtures`, scripts/record_previews.py) from the real program with an
`entra` section on the emulator, the fake Graph and the azuread stand-in. The Markdown is
compared in full.
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
from scim_setup.cli.preview_changes import PolicyViolation, Step, is_structure, plain_name
from scim_setup.cli.review_markdown import violation_text
from scim_setup.emulator.process import EmulatorProcess
from scripts.local_stack import LocalStack
from scripts.record_previews import ENGINEERING, SALES
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
        "**Changes**\n"
        "- The Dashboard's SCIM endpoint will be tested again with the new values.\n"
        "\n"
        "<sub>pulumi preview: 1 to update, 1 to replace.</sub>\n"
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
        "- The Dashboard's SCIM endpoint will be tested with the token, as Entra does.\n"
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
    "- The Dashboard's SCIM endpoint will be tested again with the new values.\n"
    "- Entra's provisioning credentials (tenant URL, token, settings) changed (secret).\n"
    "- Entra will test the saved tenant URL and token again.\n"
    "\n"
    "<sub>pulumi preview: 6 to update, 1 to replace, 1 to delete.</sub>\n"
)
"""The Entra plan's changes that are not warnings: the same words for one stack and in a fleet.

The recorded plan (entra-preview.json): stack `prod`, deployed with 50 GB accounts, keepers
{rotation: 2026-11} and the groups Sales and Engineering; the change sets 100 GB, keepers
2026-12, `entra:syncAll` true and unassigns Sales."""
SCOPE_RESTART = (
    "Provisioning restarts because entra:syncAll changed: every user and group is evaluated "
    "again, which takes longer than a normal cycle."
)


def test_entra_plan_names_scope_token_and_risks():
    result = review_saved("--preview-json", str(DATA / "entra-preview.json"))

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "### SCIM setup review: stack `prod`\n"
        "\n"
        "**⚠️ Needs attention**\n"
        "- Every user and group of the tenant will be provisioned, not only the assigned groups "
        "(entra:syncAll is on).\n"
        f"- {SCOPE_RESTART}\n"
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
    assert sum(c["warning"] for c in changes) == 3


RECORDED = ("entra-new-preview.json", "entra-preview.json", "policy-preview.json")


@pytest.mark.parametrize("fixture", RECORDED)
def test_every_resource_type_in_a_recorded_preview_has_a_plain_name(fixture):
    steps = json.loads((DATA / fixture).read_text())["steps"]

    types = {Step.from_json(step).type for step in steps}
    resources = sorted(t for t in types if not is_structure(t))

    assert resources, "the preview plans no resources"
    assert [t for t in resources if plain_name(t) is None] == []


def test_new_setup_is_reviewed_in_plain_words_only():
    """The first preview of the whole setup (entra-new-preview.json): a new app, the groups Sales
    and Engineering, `userName` mapped from `mail`; no line falls back to a type name."""
    result = review_saved("--preview-json", str(DATA / "entra-new-preview.json"))

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "### SCIM setup review: stack `prod`\n"
        "\n"
        "**⚠️ Needs attention**\n"
        "- UserName will be mapped from mail: accounts are matched by it, so existing backup "
        "accounts may no longer be found (duplicates, or accounts left unmanaged).\n"
        "\n"
        "**Changes**\n"
        "- SCIM user management will be switched on in the Dashboard; new backup accounts will get "
        "50 GB.\n"
        "- A new Entra enterprise application 'Backup SCIM' will be created.\n"
        "- A SCIM API token will be generated and given to Entra in the same run.\n"
        "- The Dashboard's SCIM endpoint will be tested with the token, as Entra does.\n"
        f"- Group {SALES} enters provisioning scope.\n"
        f"- Group {ENGINEERING} enters provisioning scope.\n"
        "- Entra will be given the tenant URL and token.\n"
        "- Provisioning will start.\n"
        "- Every `pulumi up` will keep the provisioning job running as declared (start it, save "
        "the credentials again, lift a quarantine for bad credentials).\n"
        "- Entra will test the saved tenant URL and token (Test Connection).\n"
        "- The provisioning job's status will be kept in the stack's outputs.\n"
        "\n"
        "<sub>pulumi preview: 13 to create.</sub>\n"
    )


def secret_values(value: object, key: str = "") -> list[object]:
    """Every value in a preview document under a key that holds a secret (but for the lists of
    URNs a property depends on)."""
    if isinstance(value, dict):
        return [
            v
            for k, item in value.items()
            if k != "propertyDependencies"
            for v in secret_values(item, k)
        ]
    if isinstance(value, list):
        return [v for item in value for v in secret_values(item, key)]
    secret_keys = ("__provider", "token", "credentials", "dashboard:apiToken", "secret_token")
    return [value] if key in secret_keys else []


@pytest.mark.parametrize("fixture", RECORDED[:2])
def test_recorded_entra_previews_show_every_secret_masked(fixture):
    """scripts/record_previews.py also checks the real token, admin token, Graph client secret
    and passphrase are nowhere in them before it writes; this holds the saved files to it."""
    document = json.loads((DATA / fixture).read_text())

    values = secret_values(document)

    assert values, "no secret-holding key found"
    assert {str(v) for v in values} <= {"[secret]"}


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
            customer("acme", "changes", changes={"update": 3, "replace": 1, "delete": 1},
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
        f"- `acme`: {SCOPE_RESTART}\n"
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
