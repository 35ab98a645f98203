"""The fake Graph's reading of Entra mapping expressions: Graph's `attributeMappingSource` trees
(`parseExpression`) and the values the provisioning engine computes from a user's attributes.

Entra's grammar (learn.microsoft.com entra/identity/app-provisioning/
functions-for-customizing-application-data): `[attribute]`, `"constant"`, `Function(arg, ...)`,
with empty arguments allowed. Parameter keys follow the reference's parameter names; only a few
functions are evaluated (Join, Switch, ToLower, ToUpper, Append, Coalesce, Not), enough for the
`scim` template's defaults and the examples in docs/attribute-mappings.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\[[^\[\]]*\]|[A-Za-z_][A-Za-z0-9_]*|[(),])')
_PARAMETERS = {
    "Join": ("separator",),
    "Switch": ("source", "defaultValue"),
    "ToLower": ("source", "culture"),
    "ToUpper": ("source", "culture"),
    "Append": ("source", "suffix"),
    "Not": ("source",),
}


class ExpressionFault(ValueError):
    """Graph's parser or the provisioning engine rejects the expression."""


@dataclass
class Node:
    """`kind` is Attribute, Constant or Function; `arguments` keeps empty ones as None."""

    kind: str
    name: str
    text: str
    arguments: list[Node | None] = field(default_factory=list)


def parse(expression: str) -> Node:
    tokens = _tokens(expression)
    node, position = _node(tokens, 0)
    if position != len(tokens):
        raise ExpressionFault(f"Unexpected {tokens[position]!r} in expression {expression!r}")
    return node


def source_tree(node: Node) -> dict[str, Any]:
    """Graph's `attributeMappingSource` for `node` (empty arguments left out, as Graph does)."""
    keys = _PARAMETERS.get(node.name, ())
    parameters = []
    for position, argument in enumerate(node.arguments):
        if argument is None:
            continue
        key = keys[position] if position < len(keys) else f"source{position + 1 - len(keys)}"
        parameters.append({"key": key, "value": source_tree(argument)})
    return {"expression": node.text, "name": node.name, "parameters": parameters, "type": node.kind}


def evaluate(node: Node | None, user: dict[str, Any]) -> str | None:
    """The value the provisioning engine computes for `user` (attribute values as strings)."""
    if node is None:
        return None
    if node.kind == "Attribute":
        value = user.get(node.name)
        return None if value is None else str(value)
    if node.kind == "Constant":
        return node.name
    values = [evaluate(argument, user) for argument in node.arguments]
    return _function(node.name, values)


def _function(name: str, values: list[str | None]) -> str | None:
    if name == "Join":
        return (values[0] or "").join(v for v in values[1:] if v)
    if name in ("ToLower", "ToUpper"):
        source = values[0] if values else None
        return None if source is None else source.lower() if name == "ToLower" else source.upper()
    if name == "Append":
        return None if values[0] is None else values[0] + (values[1] or "")
    if name == "Coalesce":
        return next((v for v in values if v), None)
    if name == "Not":
        return "False" if (values[0] or "").lower() == "true" else "True"
    if name == "Switch":
        source, default, pairs = values[0], values[1], values[2:]
        for key, value in zip(pairs[::2], pairs[1::2], strict=False):
            if key == source:
                return value
        return default
    raise ExpressionFault(f"the fake provisioning engine does not evaluate {name}()")


def _tokens(expression: str) -> list[str]:
    tokens, position = [], 0
    while expression[position:].strip():
        match = _TOKEN.match(expression, position)
        if match is None:
            raise ExpressionFault(f"Syntax error at character {position + 1} of {expression!r}")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _node(tokens: list[str], position: int) -> tuple[Node, int]:
    if position >= len(tokens):
        raise ExpressionFault("Expression ends too early")
    token = tokens[position]
    if token.startswith('"'):
        return Node("Constant", token[1:-1].replace('\\"', '"'), token), position + 1
    if token.startswith("["):
        return Node("Attribute", token[1:-1].strip(), token), position + 1
    if token in "(),":
        raise ExpressionFault(f"Unexpected {token!r}")
    if position + 1 >= len(tokens) or tokens[position + 1] != "(":
        raise ExpressionFault(f"{token} is not a function call")
    arguments: list[Node | None] = []
    position += 2
    while True:
        if position >= len(tokens):
            raise ExpressionFault(f"{token}( is not closed")
        if tokens[position] in (",", ")"):
            arguments.append(None)
        else:
            argument, position = _node(tokens, position)
            arguments.append(argument)
        if position >= len(tokens):
            raise ExpressionFault(f"{token}( is not closed")
        separator = tokens[position]
        position += 1
        if separator == ")":
            if arguments == [None]:
                arguments = []
            text = f"{token}({', '.join('' if a is None else a.text for a in arguments)})"
            return Node("Function", token, text, arguments), position
        if separator != ",":
            raise ExpressionFault(f"Expected , or ) after an argument of {token}")
