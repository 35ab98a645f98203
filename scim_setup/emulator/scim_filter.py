"""SCIM filters as SQL over the indexed columns of the store.

Entra only sends `eq` joined by `and` (research §1 Lookups), on the matching
attribute (`userName`, `externalId`) and on `displayName` for groups; Okta,
OneLogin and Google send one `userName eq "x"`. The filter is parsed by
scim2-models and the parsed tree, not the string, is turned into SQL, so a
value can never become SQL text. `or` and parentheses come for free; any
other operator or attribute is `400 invalidFilter`. Filters longer than
`MAX_FILTER_CHARS` or with more than `MAX_FILTER_TERMS` comparisons are
refused before they can grow an SQLite expression past its limits.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path import AttrPath, CompareOperator, Comparison, FilterNode, LogicalExpr

from scim_setup.emulator import entra_shapes
from scim_setup.emulator.store import SqlCondition, fold_case

_CORE_SCHEMA_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:"
MAX_FILTER_CHARS = 2048
MAX_FILTER_TERMS = 50


@dataclass(frozen=True)
class Column:
    """The column a SCIM attribute is filtered on, and how a value is turned into its key."""

    attribute: str
    name: str
    key: Callable[[Any], Any]


def _text(value: Any) -> Any:
    return value if value is None else str(value)


def _folded(value: Any) -> Any:
    return value if value is None else fold_case(str(value))


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise InvalidFilterException(detail="active is compared with true or false")
    return int(value)


USER_COLUMNS = {
    "id": Column("id", "id", _text),
    "username": Column("userName", "user_name_key", _folded),
    "externalid": Column("externalId", "external_id", _text),
    "active": Column("active", "active", _flag),
}
GROUP_COLUMNS = {
    "id": Column("id", "id", _text),
    "displayname": Column("displayName", "display_name_key", _folded),
    "externalid": Column("externalId", "external_id", _text),
}


def to_sql(expression: str | None, columns: dict[str, Column]) -> SqlCondition:
    """Translate a `filter` query parameter; None or blank matches everything."""
    if expression is None or not expression.strip():
        return SqlCondition("")
    if len(expression) > MAX_FILTER_CHARS:
        raise InvalidFilterException(detail=f"filters are limited to {MAX_FILTER_CHARS} characters")
    try:
        return _translate(_parse(expression), columns, [0])
    except RecursionError:
        raise InvalidFilterException(detail="the filter is nested too deeply") from None


def _parse(expression: str) -> FilterNode:
    try:
        return ScimFilter(expression).ast
    except InvalidFilterException:
        tolerated = entra_shapes.filter_expression(expression)
        if tolerated == expression:
            raise
        return ScimFilter(tolerated).ast


def _translate(node: FilterNode, columns: dict[str, Column], terms: list[int]) -> SqlCondition:
    if isinstance(node, LogicalExpr):
        parts = [_translate(term, columns, terms) for term in node.terms]
        joiner = f" {node.op.value.upper()} "
        return SqlCondition(
            "(" + joiner.join(part.sql for part in parts) + ")",
            tuple(param for part in parts for param in part.params),
        )
    if isinstance(node, Comparison) and node.op == CompareOperator.eq:
        terms[0] += 1
        if terms[0] > MAX_FILTER_TERMS:
            raise InvalidFilterException(
                detail=f"filters are limited to {MAX_FILTER_TERMS} comparisons"
            )
        return _equals(_column(node.attr_path, columns), node.value)
    raise InvalidFilterException(
        detail=f"unsupported filter '{node}': only 'eq' joined by 'and' or 'or' on "
        + ", ".join(column.attribute for column in columns.values())
    )


def _equals(column: Column, value: Any) -> SqlCondition:
    key = column.key(value)
    if key is None:
        return SqlCondition(f"{column.name} IS NULL")
    return SqlCondition(f"{column.name} = ?", (key,))


def _column(attr_path: AttrPath, columns: dict[str, Column]) -> Column:
    uri_ok = attr_path.uri is None or attr_path.uri.lower().startswith(_CORE_SCHEMA_PREFIX)
    if attr_path.sub_attr is not None or not uri_ok:
        raise InvalidFilterException(detail=f"'{attr_path}' cannot be filtered on")
    return _named_column(attr_path.attr, columns)


def _named_column(name: str, columns: dict[str, Column]) -> Column:
    column = columns.get(name.lower())
    if column is None:
        raise InvalidFilterException(detail=f"'{name}' cannot be filtered on")
    return column
