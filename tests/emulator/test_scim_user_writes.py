"""What a user create or PATCH stores, for the shapes identity providers send.

`scim_setup.emulator.scim_resources` validates and patches with scim2-models and nothing
else; these tests pin down the stored document (or the SCIM error) for Entra's
enable/disable and attribute updates, Okta's path-less replace, and creates
with readOnly, missing or duplicated attributes.
"""

from typing import Any

import pytest
from scim2_models import SCIMException

from scim_setup.emulator import scim_resources

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = {"schemas": [CORE], "userName": "ada@example.com", "externalId": "ada", "active": True}
THREE_EMAILS = [
    {"value": "a@example.com", "display": "A", "type": "work"},
    {"value": "b@example.com", "type": "home", "primary": True},
    {"value": "c@example.com", "type": "work"},
]


def stored(payload: dict[str, Any]) -> dict[str, Any]:
    """The document a create with `payload` stores."""
    return scim_resources.new_user(payload).document


def patched(document: dict[str, Any], *operations: dict[str, Any]) -> dict[str, Any]:
    body = {"schemas": [PATCH_OP], "Operations": list(operations)}
    return scim_resources.patched_user(document, body).document


def scim_error(write: Any) -> tuple[int | None, str | None]:
    with pytest.raises(SCIMException) as error:
        write()
    return error.value.status, error.value.scim_type


# PATCH: enable and disable


@pytest.mark.parametrize(
    ("operation", "active"),
    [
        ({"op": "Replace", "path": "active", "value": "False"}, False),
        ({"op": "Replace", "path": "active", "value": "True"}, True),
        ({"op": "replace", "path": "active", "value": False}, False),
        ({"op": "add", "path": "Active", "value": True}, True),
        ({"op": "replace", "value": {"active": False}}, False),
        ({"op": "replace", "path": f"{CORE}:active", "value": False}, False),
    ],
)
@pytest.mark.parametrize("before", [True, False])
def test_each_providers_enable_or_disable_sets_active(operation, active, before):
    document = stored({**USER, "active": before})

    result = scim_resources.patched_user(
        document, {"schemas": [PATCH_OP], "Operations": [operation]}
    )

    assert result.document == {**document, "active": active}
    assert result.active is active


def test_removing_active_leaves_the_user_counted_as_active():
    result = scim_resources.patched_user(
        stored({**USER, "active": False}),
        {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "active"}]},
    )

    assert "active" not in result.document
    assert result.active is True


# PATCH: Entra's attribute updates


def test_a_filtered_email_update_writes_every_matching_entry_normalised():
    document = stored({**USER, "emails": THREE_EMAILS})
    operation = {"op": "replace", "path": 'emails[type eq "WORK"].value', "value": "N@Example.COM"}

    assert patched(document, operation)["emails"] == [
        {"value": "N@example.com", "display": "A", "type": "work"},
        THREE_EMAILS[1],
        {"value": "N@example.com", "type": "work"},
    ]


def test_a_filter_that_matches_nothing_adds_the_entry():
    document = stored({**USER, "emails": THREE_EMAILS})
    operation = {"op": "Add", "path": 'EMAILS[TYPE eq "other"].value', "value": "o@example.com"}

    assert patched(document, operation)["emails"] == [
        *THREE_EMAILS,
        {"value": "o@example.com", "type": "other"},
    ]


def test_entras_update_writes_each_attribute_in_one_request():
    document = stored(
        {
            **USER,
            "schemas": [CORE, ENTERPRISE],
            "name": {"familyName": "Lovelace", "givenName": "Ada"},
            "emails": [{"primary": True, "type": "work", "value": "ada@example.com"}],
            ENTERPRISE: {"employeeNumber": "7"},
        }
    )

    result = patched(
        document,
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "n@example.com"},
        {"op": "Replace", "path": "name.familyName", "value": "Byron"},
        {"op": "Replace", "path": "displayName", "value": "Ada L."},
        {"op": "Replace", "path": "userName", "value": "Augusta@Example.com"},
        {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "R&D"},
    )

    assert result == {
        **document,
        "userName": "Augusta@Example.com",
        "displayName": "Ada L.",
        "name": {"familyName": "Byron", "givenName": "Ada"},
        "emails": [{"value": "n@example.com", "type": "work", "primary": True}],
        ENTERPRISE: {"employeeNumber": "7", "department": "R&D"},
    }


def test_entras_manager_reference_is_written_into_the_enterprise_extension():
    document = stored({**USER, "schemas": [CORE, ENTERPRISE]})
    manager = "26118915-6090-4610-87e4-49d8ca9f808d"

    result = patched(document, {"op": "Add", "path": "manager", "value": [{"value": manager}]})

    assert result[ENTERPRISE]["manager"]["value"] == manager


# PATCH: what is refused


@pytest.mark.parametrize(
    ("operations", "error"),
    [
        (
            [{"op": "Replace", "path": 'emails[type eq "work"].value', "value": "not an email"}],
            (400, "invalidValue"),
        ),
        (
            [
                {"op": "Replace", "path": "displayName", "value": "Ada"},
                {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "@"},
            ],
            (400, "invalidValue"),
        ),
        ([{"op": "replace", "path": "id", "value": "other"}], (400, "mutability")),
        ([{"op": "copy", "path": "displayName", "value": "Ada"}], (400, "invalidValue")),
    ],
)
def test_a_refused_operation_refuses_the_whole_patch(operations, error):
    document = stored({**USER, "emails": THREE_EMAILS})
    before = dict(document)

    assert scim_error(lambda: patched(document, *operations)) == error
    assert document == before


def test_a_patched_password_is_not_stored():
    document = stored(USER)

    assert patched(document, {"op": "replace", "path": "password", "value": "s3cret!"}) == document


# Create


def test_an_entra_create_stores_the_user_without_read_only_attributes():
    payload = {
        "schemas": [CORE, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
        "externalId": "jyoung",
        "userName": "jyoung@example.com",
        "active": "False",
        "emails": [{"Primary": "True", "Type": "Work", "Value": "jyoung@example.com"}],
        "meta": {"resourceType": "User", "created": "1999-01-01T00:00:00Z"},
        "id": "chosen-by-the-client",
        "groups": [{"value": "g1", "display": "Group"}],
        "name": {"formatted": "Jay Young", "familyName": "Young", "givenName": "Jay"},
        "roles": [],
        "title": None,
        "password": "t1meMa$heen",
        "unknownAttribute": {"x": 1},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0User": {"employeeNumber": "701984"},
    }

    assert stored(payload) == {
        "schemas": [CORE, ENTERPRISE],
        "externalId": "jyoung",
        "userName": "jyoung@example.com",
        "name": {"formatted": "Jay Young", "familyName": "Young", "givenName": "Jay"},
        "active": False,
        "emails": [{"value": "jyoung@example.com", "type": "work", "primary": True}],
        ENTERPRISE: {"employeeNumber": "701984"},
    }


@pytest.mark.parametrize(
    "payload",
    [
        {key: value for key, value in USER.items() if key != "userName"},
        {**USER, "userName": None},
        {**USER, "emails": [{"primary": True, "value": "a@example.com"}] * 2},
        {**USER, "emails": [{"value": "not an email"}]},
        {**USER, "active": "sometimes"},
        {**USER, ENTERPRISE: {"manager": {"value": "26118915"}}, "schemas": [CORE, ENTERPRISE]},
    ],
    ids=[
        "no userName",
        "null userName",
        "two primary emails",
        "invalid email",
        "active not a boolean",
        "manager without $ref",
    ],
)
def test_an_invalid_create_is_a_400(payload):
    status, _ = scim_error(lambda: stored(payload))

    assert status == 400
