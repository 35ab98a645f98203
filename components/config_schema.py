"""Config sections as dataclasses, validated by pydantic-core.

A section is a frozen dataclass; its field types are the schema: `str`, `int`, `float`, `bool`,
`X | None`, `list[X]`, `dict[str, X]`, nested sections, with `Annotated[..., Limits(...)]` for
bounds and `Annotated[..., Check(fn)]` for a field's own rule. A section's `__post_init__` checks
the fields together. pydantic-core is the validator under pydantic: the same lax coercion from
config strings, the same error types and messages, every problem in one pass. Not pydantic's
`BaseModel`: importing it and building the config models cost ~90 ms at every program start
(issue 13); pydantic-core ~12 ms, and a validator is built only when its section is used.
"""

from __future__ import annotations

import dataclasses
import functools
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

from pydantic_core import SchemaValidator


@dataclass(frozen=True)
class Limits:
    """Bounds of a number field (`Annotated[int, Limits(ge=1)]`), as pydantic-core names them."""

    ge: float | None = None
    gt: float | None = None
    le: float | None = None


@dataclass(frozen=True)
class Check:
    """A field's own check (`Annotated[str, Check(fn)]`): `fn` returns the value or raises
    `ValueError` with the problem."""

    function: Callable[[Any], Any]


@functools.cache
def validator_for(section: type) -> SchemaValidator:
    """The validator of a section dataclass: its fields, unknown keys forbidden; built once."""
    return SchemaValidator(_schema(section))  # pyright: ignore[reportArgumentType]


def _schema(hint: Any) -> dict[str, Any]:
    """The pydantic-core schema of a field type: scalars, `X | None`, `list`, `dict`, sections."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        schema = _schema(args[0])
        for extra in args[1:]:
            if isinstance(extra, Limits):
                schema |= {k: v for k, v in vars(extra).items() if v is not None}
            elif isinstance(extra, Check):
                schema = _after(extra.function, schema)
        return schema
    if origin in (Union, types.UnionType):
        (inner,) = (arg for arg in args if arg is not type(None))
        return {"type": "nullable", "schema": _schema(inner)}
    if origin is list:
        return {"type": "list", "items_schema": _schema(args[0])}
    if origin is dict:
        return {"type": "dict", "keys_schema": _schema(args[0]), "values_schema": _schema(args[1])}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        section: Callable[..., Any] = hint
        return _after(lambda values: section(**values), _section_schema(hint))
    return {"type": {str: "str", int: "int", float: "float", bool: "bool"}[hint]}


def _section_schema(section: type) -> dict[str, Any]:
    """A namespace (or nested object): its fields, unknown keys forbidden."""
    hints = get_type_hints(section, include_extras=True)
    fields: dict[str, Any] = {}
    for item in dataclasses.fields(section):
        schema, required = _schema(hints[item.name]), False
        if item.default is not dataclasses.MISSING:
            schema = {"type": "default", "schema": schema, "default": item.default}
        elif item.default_factory is not dataclasses.MISSING:
            schema = {"type": "default", "schema": schema, "default_factory": item.default_factory}
        else:
            required = True
        fields[item.name] = {"type": "typed-dict-field", "schema": schema, "required": required}
    return {"type": "typed-dict", "fields": fields, "extra_behavior": "forbid"}


def _after(function: Callable[[Any], Any], schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function-after",
        "function": {"type": "no-info", "function": function},
        "schema": schema,
    }
