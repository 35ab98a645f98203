"""`entra:attributeMappings` and `entra:scopingFilter`: every bad entry named by its list index."""

from __future__ import annotations

import json

import pytest

from components.stack_config import StackConfigError, entra_args, parse_stack_config

SECRET = ["dashboard:apiToken"]
ENTRA = {
    "dashboard:url": "https://dashboard.example.com",
    "dashboard:apiToken": "adm",
    "entra:application": json.dumps({"displayName": "Backup"}),
}


def config(mappings: object = None, scope: object = None) -> dict[str, str]:
    raw = dict(ENTRA)
    if mappings is not None:
        raw["entra:attributeMappings"] = json.dumps(mappings)
    if scope is not None:
        raw["entra:scopingFilter"] = json.dumps(scope)
    return raw


def problems(raw: dict[str, str]) -> list[str]:
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(raw, SECRET, {})
    return caught.value.problems


def test_mappings_and_filter_reach_the_entra_step():
    mappings = [
        {"target": "userName", "source": "mail", "matching": True},
        {"target": "externalId", "source": 'Join("@", [mailNickname], "example.com")'},
        {"target": "title", "source": None},
    ]
    parsed = parse_stack_config(config(mappings, ["department EQUALS Sales"]), SECRET, {})

    args = entra_args(parsed.entra)  # type: ignore[arg-type]

    assert args.attribute_mappings == [
        {"target": "userName", "source": "mail", "default": None, "matching": True},
        {
            "target": "externalId",
            "source": 'Join("@", [mailNickname], "example.com")',
            "default": None,
            "matching": None,
        },
        {"target": "title", "source": None, "default": None, "matching": None},
    ]
    assert args.scoping_filter == ["department EQUALS Sales"]


def test_without_the_keys_nothing_is_declared():
    args = entra_args(parse_stack_config(config(), SECRET, {}).entra)  # type: ignore[arg-type]

    assert args.attribute_mappings == []
    assert args.scoping_filter is None


def test_each_bad_entry_is_named_by_its_index_with_the_fix():
    mappings = [
        {"target": "userName", "source": "mail"},
        {"target": "externalId", "source": "Jion([mailNickname])"},
        {"target": "title"},
        {"target": "displayName", "source": "displayName", "sourc": "x"},
    ]

    found = problems(config(mappings, ["department EQUALS Sales", "department Sales"]))

    assert found == [
        "entra:attributeMappings[1].source: 'Jion' is not an Entra function (e.g. Join, Switch, "
        "ToLower); write an attribute as [Jion]; give an Entra attribute (mail) or an expression "
        'such as Join("@", [mailNickname], "example.com"), or null to remove the mapping '
        "(got 'Jion([mailNickname])')",
        "entra:attributeMappings[2].source: required; set it with `pulumi config set --path "
        "entra:attributeMappings[2].source <value>`",
        "entra:attributeMappings[3].sourc: unknown key; did you mean 'source'?",
        "entra:scopingFilter[1]: 'department Sales' is not a clause like 'department EQUALS "
        "Sales' (operators: NOT EQUALS, EQUALS, IS NOT NULL, IS NULL, IS TRUE, IS FALSE) "
        "(got 'department Sales')",
    ]


def test_a_target_listed_twice_or_two_matching_entries_are_refused():
    twice = [{"target": "userName", "source": "mail"}, {"target": "USERNAME", "source": "upn"}]
    matching = [
        {"target": "userName", "source": "mail", "matching": True},
        {"target": "externalId", "source": "objectId", "matching": True},
    ]

    assert "list each target once (USERNAME, userName more than once)" in problems(config(twice))[0]
    assert "mark one entry `matching: true`" in problems(config(matching))[0]


def test_the_mappings_resource_keeps_even_a_plain_token_secret(pulumi_engine):
    from providers.graph.attribute_mappings import AttributeMappings, AttributeMappingsArgs
    from tests.support.azure_mocks import AzureMocks

    pulumi_engine.use(AzureMocks())
    job = "/servicePrincipals/33333333-3333-4333-8333-333333333333/synchronization/jobs/scim.1"
    args = AttributeMappingsArgs(
        job_id=job,
        mappings=[{"target": "userName", "source": "mail"}],
        tenant_url="https://backup.example.com/scim/v2/t1",
        token="plain-scim-token",
    )
    pulumi_engine.run(lambda: AttributeMappings("mappings", args))

    registered = pulumi_engine.one("pulumi-python:dynamic/entra:AttributeMappings")
    assert registered.is_secret("token")
