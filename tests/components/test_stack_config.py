"""Each bad stack config value gets its own message naming the key; all are reported at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.stack_config import (
    StackConfigError,
    dashboard_args,
    entra_args,
    parse_stack_config,
)

ROOT = Path(__file__).resolve().parents[2]
SECRET = ["dashboard:apiToken"]
BASE = {"dashboard:url": "https://dashboard.example.com", "dashboard:apiToken": "adm"}
NO_ENV: dict[str, str] = {}
GROUP_1 = "5b1e7a52-2c7e-4d8e-8f5e-0a1b2c3d4e5f"
GROUP_2 = "0f9e8d7c-6b5a-4c3d-9e2f-1a2b3c4d5e6f"


def problems(raw: dict[str, str], secret_keys=SECRET, environ=NO_ENV) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(raw, secret_keys, environ)
    return caught.value.problems


def test_minimal_config_takes_documented_defaults():
    config = parse_stack_config(BASE, SECRET, NO_ENV)

    assert config.scim.enabled is True
    assert config.scim.accountSizeGb == 50
    assert config.scim.rotateAfterDays is None
    assert config.entra is None


def test_config_strings_are_coerced_to_their_types():
    raw = {
        **BASE,
        "scim:accountSizeGb": "200",
        "scim:enabled": "false",
        "scim:keepers": '{"owner": "platform"}',
        "entra:application": '{"displayName": "Backup SCIM"}',
        "entra:assignedGroups": f'["{GROUP_1}", "{GROUP_2}"]',
        "entra:deleteThreshold": "500",
    }

    config = parse_stack_config(raw, SECRET, NO_ENV)

    assert (config.scim.accountSizeGb, config.scim.enabled) == (200, False)
    assert config.scim.keepers == {"owner": "platform"}
    assert config.entra is not None
    assert config.entra.application.displayName == "Backup SCIM"
    assert config.entra.assignedGroups == [GROUP_1, GROUP_2]
    assert config.entra.deleteThreshold == 500


def test_keepers_of_any_scalar_are_compared_as_text():
    # `pulumi config set --path scim:keepers.rotation 2` stores a number, `... true` a boolean.
    raw = {**BASE, "scim:keepers": '{"rotation": 2, "pinned": true, "ratio": 0.5, "owner": "ops"}'}

    config = parse_stack_config(raw, SECRET, NO_ENV)

    assert config.scim.keepers == {
        "rotation": "2",
        "pinned": "true",
        "ratio": "0.5",
        "owner": "ops",
    }


def test_a_keeper_that_is_not_a_scalar_names_its_key():
    (problem,) = problems({**BASE, "scim:keepers": '{"rotation": [2]}'})

    assert problem.startswith("scim:keepers.rotation: Input should be a valid string")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "scim:accountSizeGb",
            "0",
            "scim:accountSizeGb: Input should be greater than or equal to 1",
        ),
        ("scim:accountSizeGb", "10241", "scim:accountSizeGb: Input should be less than or equal"),
        ("scim:accountSizeGb", "lots", "scim:accountSizeGb: Input should be a valid integer"),
        ("scim:enabled", "maybe", "scim:enabled: Input should be a valid boolean"),
        (
            "scim:rotateAfterDays",
            "0",
            "scim:rotateAfterDays: Input should be greater than or equal",
        ),
        ("scim:keepers", '["a"]', "scim:keepers: Input should be a valid dictionary"),
        ("entra:deleteThreshold", "0", "entra:deleteThreshold: Input should be greater than 0"),
        ("entra:notificationEmail", "ops", "entra:notificationEmail: 'ops' is not an e-mail"),
        ("entra:assignedGroups", '[" "]', "entra:assignedGroups: each entry must be a group"),
        ("entra:assignedGroups", '["sales"]', "entra:assignedGroups: each entry must be a group"),
        (
            "entra:assignedGroups",
            f'["{GROUP_1}","{GROUP_1}"]',
            "entra:assignedGroups: each group may be listed once",
        ),
        (
            "dashboard:url",
            "http://dashboard.example.com",
            "dashboard:url: 'http://dashboard.example",
        ),
    ],
)
def test_bad_value_gets_message_naming_the_key(key, value, expected):
    raw = {**BASE, "entra:application": '{"displayName": "SCIM"}', key: value}

    found = problems(raw)

    assert len(found) == 1
    assert found[0].startswith(expected)


@pytest.mark.parametrize(
    "application",
    ['{"displayName": "a", "clientId": "b"}', "{}", '{"objectId": "  "}'],
)
def test_application_needs_exactly_one_mode(application):
    found = problems({**BASE, "entra:application": application})

    assert len(found) == 1
    assert found[0].startswith("entra:application: ")
    assert "displayName" in found[0] or "blank" in found[0]


def test_entra_section_without_application_says_how_to_set_it():
    found = problems({**BASE, "entra:syncAll": "true"})

    assert found == [
        "entra:application: required; set it with "
        "`pulumi config set --path entra:application.displayName <name>`"
    ]


def test_misspelt_key_is_an_error_with_a_suggestion():
    found = problems({**BASE, "scim:acountSizeGb": "100"})

    assert found == ["scim:acountSizeGb: unknown key; did you mean 'accountSizeGb'?"]


def test_unknown_nested_application_key_is_an_error():
    found = problems({**BASE, "entra:application": '{"displayName": "a", "clientID": "b"}'})

    assert found == ["entra:application.clientID: unknown key; did you mean 'clientId'?"]


def test_plaintext_admin_token_is_rejected_without_echoing_it():
    found = problems({**BASE, "dashboard:apiToken": "adm-plain-77"}, secret_keys=[])

    assert found == [
        "dashboard:apiToken: stored in plain text; set it again with "
        "`pulumi config set --secret dashboard:apiToken <token>`"
    ]


def test_missing_credentials_are_reported_with_the_commands_to_fix_them():
    found = problems({})

    assert found == [
        "dashboard:apiToken: not set; run `pulumi config set --secret dashboard:apiToken <token>` "
        "(or set DASHBOARD_API_TOKEN)",
        "dashboard:url: required; set it with `pulumi config set dashboard:url <value>`",
    ]


def test_environment_supplies_missing_credentials():
    env = {"DASHBOARD_URL": "http://127.0.0.1:9000", "DASHBOARD_API_TOKEN": "adm"}

    config = parse_stack_config({}, [], env)

    assert config.dashboard.url == "http://127.0.0.1:9000"


def test_several_bad_values_are_all_reported_in_one_error():
    raw = {
        "dashboard:url": "ftp://x",
        "dashboard:apiToken": "adm",
        "scim:accountSizeGb": "-1",
        "scim:rotateAfterDays": "-5",
        "entra:application": '{"displayName": "a"}',
        "entra:notificationEmail": "nope",
        "entra:colour": "blue",
    }

    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(raw, SECRET, NO_ENV)

    keys = sorted(p.split(":", 2)[0] + ":" + p.split(":", 2)[1] for p in caught.value.problems)
    assert keys == [
        "dashboard:url",
        "entra:colour",
        "entra:notificationEmail",
        "scim:accountSizeGb",
        "scim:rotateAfterDays",
    ]
    assert str(caught.value).startswith("5 problem(s) in the stack configuration:")


def test_example_stack_file_is_valid_config():
    example = yaml.safe_load((ROOT / "Pulumi.example.yaml").read_text())["config"]
    raw = {k: v if isinstance(v, str) else json.dumps(v) for k, v in example.items()}

    config = parse_stack_config(raw, SECRET, {"DASHBOARD_API_TOKEN": "from-the-pipeline"})

    assert config.entra is not None
    assert config.scim.accountSizeGb == 100


def test_azure_extras_are_parsed_into_component_args():
    raw = {
        **BASE,
        "azureExtras:provisioningLogs": '{"resourceGroupName": "rg-scim", "retentionInDays": 60}',
        "azureExtras:tokenEscrow": '{"resourceGroupName": "rg-scim", "vaultName": "kv-scim"}',
    }

    extras = parse_stack_config(raw, SECRET, NO_ENV).azureExtras

    assert extras.provisioningLogs is not None
    assert extras.provisioningLogs.args().retention_in_days == 60
    assert extras.tokenEscrow is not None
    assert extras.tokenEscrow.secretName == "dashboard-scim-token"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "azureExtras:tokenEscrow",
            '{"resourceGroupName": "rg", "vaultName": "x"}',
            "azureExtras:tokenEscrow: vaultName: 'x' is not a Key Vault name",
        ),
        (
            "azureExtras:provisioningLogs",
            '{"resourceGroupName": "rg", "workspaceId": "/subscriptions/s"}',
            "azureExtras:provisioningLogs: workspaceId / resourceGroupName: give exactly one",
        ),
        (
            "azureExtras:tokenEscrow",
            '{"resourceGroupName": "rg", "vault": "kv-scim"}',
            "azureExtras:tokenEscrow.vault: unknown key; did you mean 'vaultName'?",
        ),
    ],
)
def test_bad_azure_extras_name_the_config_key(key, value, expected):
    found = problems({**BASE, key: value})

    assert any(problem.startswith(expected) for problem in found)


def test_missing_nested_key_says_to_set_it_with_path():
    found = problems({**BASE, "azureExtras:tokenEscrow": '{"resourceGroupName": "rg"}'})

    assert found == [
        "azureExtras:tokenEscrow.vaultName: required; set it with "
        "`pulumi config set --path azureExtras:tokenEscrow.vaultName <value>`"
    ]


def test_a_url_password_is_never_echoed_in_the_config_error():
    raw = {**BASE, "dashboard:url": "https://admin:hunter2-pw@dashboard.example.com"}

    found = problems(raw)

    assert any(p.startswith("dashboard:url:") and "user info" in p for p in found)
    assert not any("hunter2-pw" in p for p in found)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999", "https://dashboard.example.com:0", "http://127.0.0.1:port"]
)
def test_an_impossible_port_is_a_config_error_naming_the_key(url):
    from_config = problems({**BASE, "dashboard:url": url})
    from_environment = problems({"dashboard:apiToken": "adm"}, environ={"DASHBOARD_URL": url})

    expected = f"dashboard:url: {url!r} has an invalid port; use 1-65535"
    assert [p[: len(expected)] for p in from_config] == [expected]
    assert [p[: len(expected)] for p in from_environment] == [expected]


def test_timeout_seconds_is_validated_and_named():
    assert parse_stack_config({**BASE, "dashboard:timeoutSeconds": "15"}, SECRET, NO_ENV)

    assert any(
        p.startswith("dashboard:timeoutSeconds:")
        for p in problems({**BASE, "dashboard:timeoutSeconds": "0"})
    )


def test_bad_secret_value_is_never_echoed():
    raw = {**BASE, "scim:keepers": '["secret-keeper-value"]'}

    found = problems(raw, secret_keys=[*SECRET, "scim:keepers"])

    assert any(p.startswith("scim:keepers") for p in found)
    assert not any("secret-keeper-value" in p for p in found)


def test_test_connection_and_quarantine_switches_reach_the_components():
    raw = {
        **BASE,
        "scim:testConnection": "false",
        "entra:application": '{"displayName": "Backup SCIM"}',
        "entra:testConnection": "false",
        "entra:failWhenQuarantined": "true",
    }

    config = parse_stack_config(raw, SECRET, NO_ENV)

    assert config.entra is not None
    assert dashboard_args(config).test_connection is False
    entra = entra_args(config.entra)
    assert (entra.test_connection, entra.fail_when_quarantined) == (False, True)
    defaults = parse_stack_config(BASE, SECRET, NO_ENV)
    assert dashboard_args(defaults).test_connection is True


def test_bad_quarantine_switch_names_the_key():
    raw = {
        **BASE,
        "entra:application": '{"displayName": "Backup SCIM"}',
        "entra:failWhenQuarantined": "sometimes",
    }

    (problem,) = problems(raw)

    assert problem.startswith("entra:failWhenQuarantined: Input should be a valid boolean")


def test_take_over_reaches_the_dashboard_step_and_is_off_by_default():
    assert dashboard_args(parse_stack_config(BASE, SECRET, NO_ENV)).take_over is False
    raw = {**BASE, "scim:takeOver": "true"}

    assert dashboard_args(parse_stack_config(raw, SECRET, NO_ENV)).take_over is True


@pytest.mark.parametrize("value", ["true", "false"])
def test_old_and_new_take_over_keys_together_are_one_error_naming_both(value):
    (problem,) = problems({**BASE, "scim:adopt": "true", "scim:takeOver": value})

    assert problem.startswith("scim: scim:adopt is the old name of scim:takeOver; keep only")
    assert "`pulumi config rm scim:adopt`" in problem
