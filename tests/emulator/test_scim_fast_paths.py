"""The shortcuts taken for speed give exactly what scim2-models would.

`active_toggle` skips the PATCH engine for enable/disable, `simple_patch`
for operations that set one string, and the filter translation recognises
`attr eq "value"` without the parser; each must agree with the general path
on every shape it accepts.
"""

from typing import Annotated, Any

import pytest
from scim2_models import (
    ComplexAttribute,
    Context,
    Mutability,
    Required,
    Resource,
    SCIMException,
    ScimPolicy,
)
from scim2_models.urn import URN

from emulator import (
    entra_shapes,
    scim_filter,
    scim_resources,
    simple_create,
    simple_patch,
)

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "ada@example.com",
    "externalId": "ada",
    "active": True,
}


def by_engine(document: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    user = scim_resources.UserModel.model_validate(document)
    patch = scim_resources.USER_PATCH.model_validate(
        body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=scim_resources.ENTRA_POLICY
    )
    patch.patch(user, scim_policy=scim_resources.ENTRA_POLICY)
    return scim_resources._document(user)


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "replace", "path": "active", "value": False},
        {"op": "Replace", "path": "active", "value": "True"},
        {"op": "add", "path": "Active", "value": True},
        {"op": "replace", "value": {"active": False}},
        {
            "op": "replace",
            "path": "urn:ietf:params:scim:schemas:core:2.0:User:active",
            "value": False,
        },
    ],
)
@pytest.mark.parametrize("active_before", [True, False, None])
def test_active_toggle_matches_the_patch_engine(operation, active_before):
    document = {**USER, "active": active_before} if active_before is not None else dict(USER)
    body = {"schemas": [PATCH_OP], "Operations": [operation]}
    assert scim_resources.active_toggle(body) is not None

    fast = scim_resources.patched_user(document, body)

    expected = by_engine(document, body)
    assert fast.document == expected
    assert fast.active is (expected["active"] is not False)


@pytest.mark.parametrize(
    "body",
    [
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": "no"}]},
        {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "active"}]},
        {"schemas": [], "Operations": [{"op": "replace", "path": "active", "value": False}]},
        {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": 0}]},
        {
            "schemas": [PATCH_OP],
            "Operations": [
                {"op": "replace", "path": "active", "value": False},
                {"op": "replace", "path": "nickName", "value": "A"},
            ],
        },
    ],
)
def test_anything_but_a_plain_toggle_goes_to_the_engine(body):
    assert scim_resources.active_toggle(body) is None


ENTRA_USER = {
    **USER,
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ],
    "name": {"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"},
    "emails": [{"primary": True, "type": "work", "value": "ada@example.com"}],
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "7"},
}
TWO_WORK_EMAILS = {
    **USER,
    "emails": [
        {"type": "work", "value": "a@example.com", "display": "A"},
        {"type": "home", "value": "b@example.com", "primary": True},
        {"type": "Work", "value": "c@example.com"},
    ],
}


def stored(document: dict[str, Any]) -> dict[str, Any]:
    """A document as the store holds it, the dump of a validated user: the shortcut relies on it."""
    return scim_resources._document(scim_resources.UserModel.model_validate(document))


SIMPLE_DOCUMENTS = [stored(document) for document in (USER, ENTRA_USER, TWO_WORK_EMAILS)]
SIMPLE_OPERATIONS = [
    [{"op": "Replace", "path": 'emails[type eq "work"].value', "value": "new@example.com"}],
    [{"op": "replace", "path": 'emails[type eq "WORK"].value', "value": "New@Example.COM"}],
    [{"op": "add", "path": 'emails[type eq "home"].display', "value": "Home"}],
    [{"op": "Add", "path": 'EMAILS[TYPE eq "other"].value', "value": "other@example.com"}],
    [{"op": "Replace", "path": "name.familyName", "value": "Byron"}],
    [{"op": "Replace", "path": "Name.GivenName", "value": "Augusta"}],
    [{"op": "Replace", "path": "displayName", "value": "Ada L."}],
    [{"op": "Add", "path": "nickName", "value": "Countess"}],
    [{"op": "Replace", "path": 'emails[type eq "pager"].value', "value": "p@example.com"}],
    [{"op": "Replace", "path": "userName", "value": "Augusta@Example.com"}],
    [{"op": "Replace", "path": "externalId", "value": "ada-2"}],
    [{"op": "add", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+44 20 7946 0000"}],
    [{"op": "Replace", "path": 'addresses[type eq "work"].locality', "value": "London"}],
    [
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "n@example.com"},
        {"op": "Replace", "path": "name.familyName", "value": "Moved"},
        {"op": "Replace", "path": 'emails[type eq "work"].display', "value": "Work"},
    ],
]


@pytest.mark.parametrize("operations", SIMPLE_OPERATIONS)
@pytest.mark.parametrize("document", SIMPLE_DOCUMENTS)
def test_string_writes_match_the_patch_engine(document, operations):
    body = {"schemas": [PATCH_OP], "Operations": operations}
    policy = scim_resources.ENTRA_POLICY
    assert simple_patch.apply(scim_resources.UserModel, policy, document, body) is not None

    fast = scim_resources.patched_user(document, body)

    assert fast.document == by_engine(document, body)


@pytest.mark.parametrize(
    "operations",
    [
        [{"op": "Replace", "path": 'emails[type eq "work"].value', "value": "not an email"}],
        [
            {"op": "Replace", "path": "displayName", "value": "Ada"},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "@"},
        ],
    ],
)
@pytest.mark.parametrize("document", SIMPLE_DOCUMENTS)
def test_an_invalid_string_write_gets_the_engines_error(document, operations):
    body = {"schemas": [PATCH_OP], "Operations": operations}
    policy = scim_resources.ENTRA_POLICY
    assert simple_patch.apply(scim_resources.UserModel, policy, document, body) is None
    with pytest.raises(SCIMException) as engine:
        scim_resources._scim(lambda: by_engine(document, body))

    with pytest.raises(SCIMException) as fast:
        scim_resources.patched_user(document, body)

    assert fast.value.status == engine.value.status
    assert fast.value.scim_type == engine.value.scim_type


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "remove", "path": "displayName"},
        {"op": "replace", "value": {"displayName": "Ada"}},
        {"op": "replace", "path": "active", "value": False},
        {"op": "replace", "path": "displayName", "value": ""},
        {"op": "replace", "path": "displayName", "value": None},
        {"op": "replace", "path": 'emails[type eq "work"].primary', "value": "true"},
        {"op": "replace", "path": "emails[primary eq true].value", "value": "a@example.com"},
        {"op": "replace", "path": 'emails[type eq "work"].type', "value": "home"},
        {"op": "replace", "path": 'emails[type eq "work"]', "value": "a@example.com"},
        {"op": "replace", "path": "emails.value", "value": "a@example.com"},
        {"op": "replace", "path": 'name[familyName eq "x"].givenName', "value": "Ada"},
        {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:title", "value": "X"},
        {
            "op": "replace",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "value": "R&D",
        },
        {"op": "replace", "path": "employeeNumber", "value": "8"},
        {"op": "replace", "path": "id", "value": "other"},
        {"op": "replace", "path": "password", "value": "secret"},
        {"op": "replace", "path": "profileUrl", "value": "https://example.com/ada"},
        {"op": "replace", "path": "meta.resourceType", "value": "Group"},
        {"op": "replace", "path": "unknownAttribute", "value": "x"},
        {"op": "replace", "path": "displayName", "value": "Ada", "extra": 1},
        {"op": "copy", "path": "displayName", "value": "Ada"},
    ],
)
def test_anything_but_a_string_write_goes_to_the_engine(operation):
    body = {"schemas": [PATCH_OP], "Operations": [operation]}
    policy = scim_resources.ENTRA_POLICY

    assert simple_patch.apply(scim_resources.UserModel, policy, ENTRA_USER, body) is None


def test_several_primary_emails_go_to_the_engine():
    document = {**USER, "emails": [{"value": "a@example.com", "primary": True, "type": "work"}] * 2}
    operation = {"op": "replace", "path": 'emails[type eq "work"].value', "value": "b@example.com"}
    body = {"schemas": [PATCH_OP], "Operations": [operation]}
    policy = scim_resources.ENTRA_POLICY

    assert simple_patch.apply(scim_resources.UserModel, policy, document, body) is None


@pytest.mark.parametrize(
    "expression",
    [
        'userName eq "Ada@Example.com"',
        'USERNAME EQ "ada@example.com"',
        "externalId eq jyoung",
        'displayName eq "Engineers (EU)"',
        'id eq "7d1c4a52-0c5b"',
        "externalId eq j.young-01",
    ],
)
def test_simple_filters_translate_as_the_parser_does(expression):
    columns = {**scim_filter.USER_COLUMNS, **scim_filter.GROUP_COLUMNS}
    assert scim_filter._simple_value(expression) is not None

    fast = scim_filter.to_sql(expression, columns)

    assert fast == scim_filter._translate(scim_filter._parse(expression), columns, [0])


@pytest.mark.parametrize(
    "expression",
    ['userName eq "a\\"b"', "active eq true", "externalId eq 12", 'x eq "1" or y eq "2"'],
)
def test_other_filters_are_left_to_the_parser(expression):
    assert scim_filter._simple_value(expression) is None


@pytest.mark.parametrize(
    "payload",
    [
        USER,
        ENTRA_USER,
        TWO_WORK_EMAILS,
        {**ENTRA_USER, "password": "s3cret!", "roles": [], "title": None, "nickName": ""},
        {
            **USER,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                "manager": {
                    "value": "26118915-6090-4610-87e4-49d8ca9f808d",
                    "$ref": "https://example.com/Users/26118915-6090-4610-87e4-49d8ca9f808d",
                },
                "department": "R&D",
            },
            "addresses": [{"type": "work", "locality": "London", "primary": True}],
            "x509Certificates": [{"value": "TUlJRGpqQ0NBblpnQXdJQkFnSVFGZz0="}],
        },
    ],
)
def test_stored_documents_are_what_a_response_carries(payload):
    user = scim_resources.UserModel.model_validate(
        payload, scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=scim_resources.ENTRA_POLICY
    )
    response = user.model_dump(mode="json", scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    response.pop("meta", None)

    assert scim_resources._document(user) == response
    assert "password" not in scim_resources._document(user)


def test_stored_group_documents_are_what_a_response_carries():
    group = scim_resources.Group.model_validate(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineers",
            "externalId": "eng",
            "members": [{"value": "7d1c4a52-0c5b", "display": "Ada"}],
        },
        scim_ctx=Context.RESOURCE_CREATION_REQUEST,
    )
    response = group.model_dump(mode="json", scim_ctx=Context.RESOURCE_QUERY_RESPONSE)

    assert scim_resources._document(group) == response


ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ENTRA_CREATE = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    "externalId": "jyoung",
    "userName": "jyoung@example.com",
    "active": True,
    "emails": [{"primary": True, "type": "work", "value": "jyoung@example.com"}],
    "meta": {"resourceType": "User"},
    "name": {"formatted": "Jay Young", "familyName": "Young", "givenName": "Jay"},
    "roles": [],
}
SHORTCUT_CREATES = [
    ENTRA_CREATE,
    {
        **ENTRA_CREATE,
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0User",
        ],
        "displayName": "Jay Young",
        "addresses": None,
        "phoneNumbers": None,
        "preferredLanguage": None,
        "title": None,
        "department": None,
        "manager": None,
    },
    {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "okta@example.com",
        "name": {"givenName": "O", "familyName": "K"},
        "emails": [{"primary": True, "value": "okta@example.com", "type": "work"}],
        "displayName": "O K",
        "locale": "en-US",
        "externalId": "00u1",
        "groups": [],
        "password": "t1meMa$heen",
        "active": True,
    },
    {
        **ENTRA_CREATE,
        "id": "chosen-by-the-client",
        "meta": {"resourceType": "User", "created": "1999-01-01T00:00:00Z"},
        "groups": [{"value": "g1", "display": "Group"}],
    },
    {
        **ENTRA_CREATE,
        "UserName": "Caps@Example.com",
        "EMAILS": [{"Primary": "True", "Type": "Work", "Value": "caps@example.com"}],
        "active": "False",
        "unknownAttribute": {"x": 1},
    },
    {**ENTRA_CREATE, "schemas": []},
    {
        **ENTRA_CREATE,
        "emails": [
            {"primary": True, "type": "work", "value": "a@example.com"},
            {"primary": False, "type": "home", "value": "b@example.com"},
            {"type": "other", "value": "c@example.com"},
        ],
        "phoneNumbers": [{"type": "work", "value": "+1 555 0100", "primary": True}],
        "addresses": [{"type": "work", "locality": "Seattle", "primary": True}],
        "x509Certificates": [{"value": "TUlJRGpqQ0NBblpnQXdJQkFnSVFGZz0="}],
        "nickName": "J",
        "profileUrl": "https://example.com/jyoung",
    },
]
FALLBACK_CREATES = [
    {key: value for key, value in ENTRA_CREATE.items() if key != "schemas"},
    {**{key: value for key, value in ENTRA_CREATE.items() if key != "schemas"}, "Schemas": []},
    {**ENTRA_CREATE, "Schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]},
    {key: value for key, value in ENTRA_CREATE.items() if key != "userName"},
    {**ENTRA_CREATE, "userName": None},
    {**ENTRA_CREATE, "emails": [{"primary": True, "value": "a@example.com"}] * 2},
    {**ENTRA_CREATE, "emails": [{"value": "not an email"}]},
    {**ENTRA_CREATE, "schemas": [ENTERPRISE]},
    {**ENTRA_CREATE, ENTERPRISE: {"employeeNumber": "701984", "department": "Tour"}},
    {**ENTRA_CREATE, ENTERPRISE: {"manager": {"value": "26118915-6090-4610-87e4"}}},
    {**ENTRA_CREATE, "active": "sometimes"},
]


def by_creation_context(payload: dict[str, Any]) -> Any:
    return scim_resources._scim(
        lambda: scim_resources.UserModel.model_validate(
            entra_shapes.user_payload(payload),
            scim_ctx=Context.RESOURCE_CREATION_REQUEST,
            scim_policy=scim_resources.ENTRA_POLICY,
        )
    )


def stored_or_error(create: Any) -> Any:
    """The document a create stores, or the status and scimType of its error."""
    try:
        return create()
    except SCIMException as error:
        return (error.status, error.scim_type)


@pytest.mark.parametrize("payload", SHORTCUT_CREATES)
def test_creates_through_the_shortcut_match_the_creation_context(payload):
    body = entra_shapes.user_payload(payload)
    user = simple_create.validated(scim_resources.UserModel, scim_resources.ENTRA_POLICY, body)
    assert user is not None
    expected = by_creation_context(payload)

    assert user.model_dump() == expected.model_dump()
    assert user.model_fields_set == expected.model_fields_set
    assert scim_resources.new_user(payload).document == scim_resources._document(expected)


@pytest.mark.parametrize("payload", FALLBACK_CREATES)
def test_other_creates_are_validated_in_the_creation_context(payload):
    body = entra_shapes.user_payload(payload)
    policy = scim_resources.ENTRA_POLICY
    assert simple_create.validated(scim_resources.UserModel, policy, body) is None

    actual = stored_or_error(lambda: scim_resources.new_user(payload).document)

    expected = stored_or_error(lambda: scim_resources._document(by_creation_context(payload)))
    assert actual == expected


def test_a_stricter_policy_leaves_creates_to_the_creation_context():
    strict = ScimPolicy(unknown=ScimPolicy.Unknown.forbid)
    body = entra_shapes.user_payload(ENTRA_CREATE)

    assert simple_create.validated(scim_resources.UserModel, strict, body) is None


class _Stamp(ComplexAttribute):
    issuer: Annotated[str | None, Required.true] = None


class _Ticket(Resource[Any]):
    __schema__ = URN("urn:example:params:scim:schemas:core:2.0:Ticket")
    title: Annotated[str | None, Required.true] = None
    stamp: Annotated[_Stamp | None, Mutability.read_only] = None


@pytest.mark.parametrize(
    ("body", "shortcut"),
    [
        ({"title": "t"}, True),
        ({"title": "t", "stamp": {"issuer": "me"}}, False),
        ({"title": "t", "stamp": {}}, False),
        ({}, False),
    ],
)
def test_read_only_attributes_whose_own_walk_may_refuse_go_to_the_creation_context(body, shortcut):
    body = {"schemas": [str(_Ticket.__schema__)], **body}
    policy = scim_resources.ENTRA_POLICY

    ticket = simple_create.validated(_Ticket, policy, body)

    assert (ticket is not None) is shortcut
    if ticket is not None:
        expected = _Ticket.model_validate(
            body, scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=policy
        )
        assert ticket.model_dump() == expected.model_dump()
