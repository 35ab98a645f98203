"""`review` on attribute mappings: a changed matching attribute and a narrower scope are risky."""

from __future__ import annotations

from scim_setup.cli.preview_changes import Preview, changes
from scim_setup.cli.review_mappings import ATTRIBUTE_MAPPINGS

URN = f"urn:pulumi:prod::scim-setup::{ATTRIBUTE_MAPPINGS}::mappings"


def preview(op: str, old: dict, new: dict) -> Preview:
    step = {
        "op": op,
        "urn": URN,
        "oldState": {"type": ATTRIBUTE_MAPPINGS, "inputs": old} if old else None,
        "newState": {"type": ATTRIBUTE_MAPPINGS, "inputs": new} if new else None,
    }
    return Preview.from_json({"steps": [step]})


def lines(op: str, old: dict, new: dict) -> list[tuple[str, bool]]:
    return [(c.text, c.warning) for c in changes(preview(op, old, new))]


def test_mapping_the_login_from_mail_on_create_is_flagged():
    new = {"mappings": [{"target": "userName", "source": "mail"}], "scoping_filter": None}

    [(text, risky)] = lines("create", {}, new)

    assert text.startswith("userName will be mapped from mail: accounts are matched by it")
    assert risky


def test_a_new_matching_attribute_is_flagged():
    old = {"mappings": [{"target": "externalId", "source": "objectId", "matching": None}]}
    new = {"mappings": [{"target": "externalId", "source": "objectId", "matching": True}]}

    found = lines("update", old, new)

    assert found == [
        (
            "the matching attribute changes (externalId matching: True): existing backup "
            "accounts may be matched differently",
            True,
        )
    ]


def test_a_scoping_filter_that_takes_users_out_of_scope_is_flagged():
    mappings = [{"target": "title", "source": "jobTitle"}]
    old = {"mappings": mappings, "scoping_filter": []}
    new = {"mappings": mappings, "scoping_filter": ["department EQUALS Sales"]}

    found = lines("update", old, new)

    assert found == [
        (
            "scoping filter gains 'department EQUALS Sales': assigned users who fail it leave "
            "provisioning scope and their backup accounts are disabled",
            True,
        )
    ]


def test_dropping_a_clause_and_changing_an_ordinary_mapping_are_not_flagged():
    old = {
        "mappings": [{"target": "title", "source": "jobTitle"}],
        "scoping_filter": ["department EQUALS Sales"],
    }
    new = {"mappings": [{"target": "title", "source": "department"}], "scoping_filter": []}

    found = lines("update", old, new)

    assert found == [
        ("title: jobTitle → department", False),
        ("scoping filter drops 'department EQUALS Sales': more users come into scope", False),
    ]


def test_a_portal_edit_being_restored_is_named():
    mappings = [{"target": "userName", "source": "mail"}]
    old = {
        "mappings": mappings,
        "live": {"mappings": [{"target": "userName", "source": "[userPrincipalName]"}]},
    }

    found = lines("update", old, {"mappings": mappings})

    assert found == [
        (
            "userName was changed outside Pulumi (live: [userPrincipalName]); restored to mail",
            True,
        )
    ]
