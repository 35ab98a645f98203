"""The shortcuts taken for speed give exactly what scim2-models would.

`active_toggle` skips the PATCH engine for enable/disable, and the filter
translation recognises `attr eq "value"` without the parser; both must agree
with the general path on every shape they accept.
"""

from typing import Any

import pytest
from scim2_models import Context

from emulator import scim_filter, scim_resources

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
