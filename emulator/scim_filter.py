"""SCIM filters as SQL over the indexed columns of the store.

Entra only sends `eq` joined by `and` (research §1 Lookups), on the matching
attribute (`userName`, `externalId`) and on `displayName` for groups. The
filter is parsed by scim2-models and the parsed tree, not the string, is
turned into SQL, so a value can never become SQL text. `or` and parentheses
come for free; any other operator or attribute is `400 invalidFilter`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path import AttrPath, CompareOperator, Comparison, FilterNode, LogicalExpr

from emulator import entra_shapes
from emulator.store import SqlCondition, fold_case

_CORE_SCHEMA_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:"


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
    return _translate(_parse(expression), columns)


def _parse(expression: str) -> FilterNode:
    try:
        return ScimFilter(expression).ast
    except InvalidFilterException:
        tolerated = entra_shapes.filter_expression(expression)
        if tolerated == expression:
            raise
        return ScimFilter(tolerated).ast


def _translate(node: FilterNode, columns: dict[str, Column]) -> SqlCondition:
    if isinstance(node, LogicalExpr):
        parts = [_translate(term, columns) for term in node.terms]
        joiner = f" {node.op.value.upper()} "
        return SqlCondition(
            "(" + joiner.join(part.sql for part in parts) + ")",
            tuple(param for part in parts for param in part.params),
        )
    if isinstance(node, Comparison) and node.op == CompareOperator.eq:
        column = _column(node.attr_path, columns)
        value = column.key(node.value)
        if value is None:
            return SqlCondition(f"{column.name} IS NULL")
        return SqlCondition(f"{column.name} = ?", (value,))
    raise InvalidFilterException(
        detail=f"unsupported filter '{node}': only 'eq' joined by 'and' or 'or' on "
        + ", ".join(column.attribute for column in columns.values())
    )


def _column(attr_path: AttrPath, columns: dict[str, Column]) -> Column:
    column = columns.get(attr_path.attr.lower())
    uri_ok = attr_path.uri is None or attr_path.uri.lower().startswith(_CORE_SCHEMA_PREFIX)
    if column is None or attr_path.sub_attr is not None or not uri_ok:
        raise InvalidFilterException(detail=f"'{attr_path}' cannot be filtered on")
    return column
