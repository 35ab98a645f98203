"""The schema slice this package manages, without a network: expressions, clauses, apply, drift."""

from __future__ import annotations

import re

import pytest

from providers.dashboard.scim_schemas import declared_attributes
from providers.graph.mapping_expression import ExpressionError, canonical, check
from providers.graph.synchronization_schema import (
    DeclaredMapping,
    apply,
    attribute_source,
    drift,
    live_view,
    parse_clause,
)
from scim_setup.emulator.fake_graph_mappings import default_schema

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def test_an_expression_reports_the_attributes_it_reads():
    assert check('Join("@", [mailNickname], "example.com")') == ["mailNickname"]
    assert check("mail") == ["mail"]
    assert check('Replace([preferredLanguage], "-", , , "_", , )') == ["preferredLanguage"]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ('Join("@", [mailNickname]', "never closed"),
        ("Jion([mail])", "'Jion' is not an Entra function"),
        ('Join("@" [mail])', "expected , or )"),
        ("[]", "empty attribute"),
        ('Join("@", [mail]) extra', "unexpected 'extra'"),
        ("mail;", "cannot read"),
    ],
)
def test_a_malformed_source_is_refused_with_the_reason(source, reason):
    with pytest.raises(ExpressionError, match=re.escape(reason)):
        check(source)


def test_spacing_outside_constants_does_not_count_as_a_difference():
    assert canonical('Join(" ",[givenName],  [surname])') == canonical(
        'Join(" ", [givenName], [surname])'
    )
    assert canonical('Join(" ", [a])') != canonical('Join("  ", [a])')


@pytest.mark.parametrize(
    ("text", "attribute", "operator", "value"),
    [
        ("department EQUALS Sales", "department", "EQUALS", "Sales"),
        ('department NOT EQUALS "Sales Ops"', "department", "NOT EQUALS", "Sales Ops"),
        ("employeeId IS NOT NULL", "employeeId", "IS NOT NULL", None),
    ],
)
def test_a_scoping_clause_is_read(text, attribute, operator, value):
    clause = parse_clause(text)

    assert (clause.attribute, clause.operator, clause.value) == (attribute, operator, value)


@pytest.mark.parametrize("text", ["department Sales", "EQUALS Sales", "a b EQUALS c", "x EQUALS"])
def test_a_malformed_clause_says_what_a_clause_looks_like(text):
    with pytest.raises(ValueError, match="department EQUALS Sales"):
        parse_clause(text)


def test_apply_changes_only_the_declared_targets_and_moves_the_match():
    schema = default_schema()
    declared = [
        DeclaredMapping("userName", "mail"),
        DeclaredMapping(f"{ENTERPRISE}:department", None),
        DeclaredMapping("externalId", "objectId", matching=True),
    ]
    sources = {"userName": attribute_source("mail"), "externalId": attribute_source("objectId")}

    updated = apply(schema, declared, ["department EQUALS Sales"], sources)

    view = live_view(updated, ["userName", f"{ENTERPRISE}:department", "externalId", "title"])
    assert view["mappings"] == [
        {"target": "userName", "source": "[mail]", "default": None, "matching": False},
        {"target": f"{ENTERPRISE}:department", "source": None, "default": None, "matching": False},
        {"target": "externalId", "source": "[objectId]", "default": None, "matching": True},
        {"target": "title", "source": "[jobTitle]", "default": None, "matching": False},
    ]
    assert view["scoping_filter"] == ["department EQUALS Sales"]
    assert set(updated) == {"directories", "synchronizationRules"}
    assert live_view(schema, ["userName"])["mappings"][0]["source"] == "[userPrincipalName]"


def test_drift_names_each_differing_target_and_nothing_once_applied():
    schema = default_schema()
    declared = [DeclaredMapping("userName", "mail"), DeclaredMapping("title", "[jobTitle]")]

    found = drift(schema, declared, ["department EQUALS Sales"])
    applied = apply(
        schema,
        declared,
        ["department EQUALS Sales"],
        {"userName": attribute_source("mail"), "title": attribute_source("jobTitle")},
    )

    assert found == [
        "userName: source [userPrincipalName] (declared [mail])",
        "scoping filter: none (declared ['department EQUALS Sales'])",
    ]
    assert drift(applied, declared, ["department EQUALS Sales"]) == []


def test_a_new_target_is_added_to_the_target_directory_definition():
    declared = [DeclaredMapping("nickName", "mailNickname")]

    updated = apply(
        default_schema(), declared, None, {"nickName": attribute_source("mailNickname")}
    )

    target = next(d for d in updated["directories"] if d["name"] == "customappsso")
    assert "nickName" in [a["name"] for a in target["objects"][0]["attributes"]]


SCHEMAS = {
    "Resources": [
        {
            "id": "urn:ietf:params:scim:schemas:core:2.0:User",
            "attributes": [
                {"name": "userName"},
                {"name": "name", "subAttributes": [{"name": "givenName"}]},
                {"name": "emails", "subAttributes": [{"name": "value"}, {"name": "type"}]},
            ],
        },
        {"id": ENTERPRISE, "attributes": [{"name": "department"}]},
    ]
}


@pytest.mark.parametrize(
    "target",
    [
        "userName",
        "name.givenName",
        'emails[type eq "work"].value',
        "externalId",
        f"{ENTERPRISE}:department",
    ],
)
def test_targets_the_endpoint_declares_pass(target):
    assert declared_attributes(SCHEMAS).target_problem(target) is None


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("nickName", "is not an attribute the Dashboard's SCIM endpoint declares"),
        ("name.middleName", "has no sub-attribute 'middleName'"),
        (f"{ENTERPRISE}:costCenter", "is not an attribute"),
        ("urn:example:User:x", "declares no schema urn:example:User"),
    ],
)
def test_targets_the_endpoint_does_not_declare_are_named(target, reason):
    problem = declared_attributes(SCHEMAS).target_problem(target)

    assert problem is not None and reason in problem
