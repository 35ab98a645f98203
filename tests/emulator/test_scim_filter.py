"""SCIM filters become SQL over the store's columns, values always as parameters."""

import pytest
from scim2_models import InvalidFilterException

from scim_setup.emulator.scim_filter import GROUP_COLUMNS, USER_COLUMNS, to_sql
from scim_setup.emulator.store import SqlCondition


@pytest.mark.parametrize(
    ("expression", "condition"),
    [
        ('userName eq "Ada@Example.com"', SqlCondition("user_name_key = ?", ("ada@example.com",))),
        ('USERNAME EQ "ada@example.com"', SqlCondition("user_name_key = ?", ("ada@example.com",))),
        ("externalId eq jyoung", SqlCondition("external_id = ?", ("jyoung",))),
        ("externalId eq j.young-01", SqlCondition("external_id = ?", ("j.young-01",))),
        ("externalId eq 12", SqlCondition("external_id = ?", ("12",))),
        ("externalId eq null", SqlCondition("external_id IS NULL")),
        ('userName eq "a\\"b"', SqlCondition("user_name_key = ?", ('a"b',))),
        ('id eq "7d1c4a52-0c5b"', SqlCondition("id = ?", ("7d1c4a52-0c5b",))),
        ("active eq true", SqlCondition("active = ?", (1,))),
        (
            'userName eq "x" or (externalId eq "y" and active eq false)',
            SqlCondition("(user_name_key = ? OR (external_id = ? AND active = ?))", ("x", "y", 0)),
        ),
    ],
)
def test_user_filters_translate_to_sql_with_parameters(expression, condition):
    assert to_sql(expression, USER_COLUMNS) == condition


def test_group_display_names_compare_case_insensitively():
    condition = to_sql('displayName eq "Engineers (EU)"', GROUP_COLUMNS)

    assert condition == SqlCondition("display_name_key = ?", ("engineers (eu)",))


@pytest.mark.parametrize("expression", [None, "", "   "])
def test_no_filter_matches_everything(expression):
    assert to_sql(expression, USER_COLUMNS) == SqlCondition("")


@pytest.mark.parametrize(
    "expression",
    [
        'displayName eq "Engineers"',
        'userName co "ada"',
        'emails.value eq "ada@example.com"',
        'urn:example:User:userName eq "ada"',
        "active eq 1",
    ],
)
def test_other_filters_are_invalid(expression):
    with pytest.raises(InvalidFilterException):
        to_sql(expression, USER_COLUMNS)
