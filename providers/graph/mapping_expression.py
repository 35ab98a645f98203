"""Entra attribute-mapping sources: an attribute name, or an expression such as
`Join("@", [mailNickname], "example.com")`, checked for form before anything is sent.

The grammar is Entra's ("Reference for writing expressions for attribute mappings",
learn.microsoft.com entra/identity/app-provisioning/functions-for-customizing-application-data):
an attribute in square brackets, a string constant in double quotes, or a function call whose
arguments are expressions and may be left empty (`Replace([x], "-", , , "_", , )`). A bare name
(`mail`) means the attribute `[mail]`. Graph itself turns an expression into its
`attributeMappingSource` tree (`parseExpression`); here only the form is judged, so a typo fails
`preview` naming the config entry, and `canonical` lets a live expression be compared with a
declared one whatever the spacing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FUNCTIONS = frozenset(
    {
        "Append",
        "AppRoleAssignmentsComplex",
        "BitAnd",
        "CBool",
        "CDate",
        "Coalesce",
        "ConvertToBase64",
        "ConvertToUTF8Hex",
        "Count",
        "CStr",
        "DateAdd",
        "DateDiff",
        "DateFromNum",
        "FormatDateTime",
        "Guid",
        "IgnoreFlowIfNullOrEmpty",
        "IIF",
        "InStr",
        "IsNull",
        "IsNullOrEmpty",
        "IsPresent",
        "IsString",
        "Item",
        "Join",
        "Left",
        "Mid",
        "NormalizeDiacritics",
        "Not",
        "Now",
        "NumFromDate",
        "PCase",
        "RandomString",
        "Redact",
        "RemoveDuplicates",
        "Replace",
        "SelectUniqueValue",
        "SingleAppRoleAssignment",
        "Split",
        "StripSpaces",
        "Switch",
        "ToLower",
        "ToUpper",
        "Word",
    }
)
"""The functions Entra's expression reference lists."""

_FUNCTIONS_BY_LOWER = {name.lower(): name for name in FUNCTIONS}
_BARE_ATTRIBUTE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<attribute>\[[^\[\]]*\])|(?P<name>[A-Za-z_][A-Za-z0-9_]*)'
    r"|(?P<punct>[(),]))"
)


class ExpressionError(ValueError):
    """The source is neither an attribute name nor a well-formed expression; says why."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    at: int


def expression_of(source: str) -> str:
    """The expression for `source`: `[mail]` for a bare `mail`, else `source` itself."""
    text = source.strip()
    return f"[{text}]" if _BARE_ATTRIBUTE.match(text) else text


def attribute_name(source: str) -> str | None:
    """The attribute a source maps directly (`mail`, `[mail]`), or None for a function."""
    text = expression_of(source)
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        return text[1:-1].strip()
    return None


def check(source: str) -> list[str]:
    """The attributes `source` reads; raises `ExpressionError` if it is not well formed."""
    text = expression_of(source)
    if not text:
        raise ExpressionError("is empty; give an Entra attribute (mail) or an expression")
    tokens = _tokens(text)
    attributes: list[str] = []
    position = _expression(tokens, 0, attributes)
    if position != len(tokens):
        extra = tokens[position]
        raise ExpressionError(f"unexpected {extra.text!r} at character {extra.at + 1}")
    return attributes


def canonical(expression: str) -> str:
    """`expression` without the spaces outside string constants, for comparing two of them."""
    return "".join(token.text for token in _tokens(expression_of(expression)))


def _tokens(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None:
            at = position + len(text[position:]) - len(text[position:].lstrip())
            raise ExpressionError(
                f"cannot read {text[at : at + 12]!r} at character {at + 1}; attributes go in "
                '[brackets], constants in "double quotes"'
            )
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


def _expression(tokens: list[Token], position: int, attributes: list[str]) -> int:
    """Parse one expression from `tokens[position]`; the position after it."""
    if position >= len(tokens):
        raise ExpressionError("ends too early; a function call is not closed")
    token = tokens[position]
    if token.kind == "string":
        return position + 1
    if token.kind == "attribute":
        name = token.text[1:-1].strip()
        if not name:
            raise ExpressionError(f"empty attribute [] at character {token.at + 1}")
        attributes.append(name)
        return position + 1
    if token.kind == "name":
        return _call(tokens, position, attributes)
    raise ExpressionError(f"unexpected {token.text!r} at character {token.at + 1}")


def _call(tokens: list[Token], position: int, attributes: list[str]) -> int:
    name = tokens[position]
    if name.text.lower() not in _FUNCTIONS_BY_LOWER:
        raise ExpressionError(
            f"{name.text!r} is not an Entra function (e.g. Join, Switch, ToLower); write an "
            f"attribute as [{name.text}]"
        )
    position += 1
    if position >= len(tokens) or tokens[position].text != "(":
        raise ExpressionError(f"{name.text} needs its arguments in parentheses")
    position += 1
    while True:
        if position >= len(tokens):
            raise ExpressionError(f"{name.text}( is never closed with )")
        if tokens[position].text in (",", ")"):
            pass  # an empty argument, as Entra allows
        else:
            position = _expression(tokens, position, attributes)
        if position >= len(tokens):
            raise ExpressionError(f"{name.text}( is never closed with )")
        separator = tokens[position]
        position += 1
        if separator.text == ")":
            return position
        if separator.text != ",":
            raise ExpressionError(
                f"expected , or ) at character {separator.at + 1}, got {separator.text!r}"
            )
