"""Property values as the engine sends them (protobuf `Struct`) and as the resources use them.

Pulumi's provider protocol marks a secret as `{SIGNATURE_KEY: SECRET_SIGNATURE, "value": v}` and a
value not known yet (during preview) as the string `UNKNOWN`. Here a secret becomes a `Secret`, so
it can be told apart until it is sent back, and never shows in a repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2

SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

Properties = dict[str, Any]


@dataclass(frozen=True)
class Secret:
    """A value the engine (or this provider) marks secret."""

    value: Any = field(repr=False)


def from_struct(struct: struct_pb2.Struct | None) -> Properties:
    if struct is None:
        return {}
    return {key: _decode(value) for key, value in json_format.MessageToDict(struct).items()}


def to_struct(properties: Properties) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update({key: _encode(value) for key, value in properties.items()})
    return struct


def reveal(value: Any) -> Any:
    """`value` with every `Secret` replaced by what it holds."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, dict):
        return {key: reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [reveal(item) for item in value]
    return value


def is_known(value: Any) -> bool:
    """False when `value` or anything in it is not known yet."""
    value = reveal(value)
    if isinstance(value, dict):
        return all(is_known(item) for item in value.values())
    if isinstance(value, list):
        return all(is_known(item) for item in value)
    return value != UNKNOWN


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == SECRET_SIGNATURE:
            return Secret(_decode(value.get("value")))
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, Secret):
        return {SIGNATURE_KEY: SECRET_SIGNATURE, "value": _encode(value.value)}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    return value
