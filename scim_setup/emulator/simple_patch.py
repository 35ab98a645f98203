"""PATCH operations that set one string, applied to the stored user document.

Entra updates a user with `Replace` operations that each set one string: on a
plain path (`displayName`, `name.familyName`) or on a sub-attribute of the
entries a filter selects (`emails[type eq "work"].value`). Their whole effect
is to put that string in the stored JSON document, where scim2-models' general
PATCH engine snapshots, deep-copies, revalidates and compares the user for
each operation (about five times the CPU of the rest of the request, issue 13).

`apply` writes such operations into a copy of the document, with the
engine's rules: attribute names case-insensitive, the filter compared as
scim2-models compares (`AttributeBinding.comparable`), every selected entry
written, and an entry created from the filter when none matches
(`ScimPolicy.UnmatchedPathFilter.create`). Each string it writes (and the
filter value of an entry it creates) is validated and dumped by its field's
own type, as validating and dumping the whole user would: an email address
is normalised, a canonical `type` takes its canonical case, an invalid value
sends the PATCH to the engine for its error. The rest of a stored document
is already the dump of a validated user, and scim2-models' user-level
checks apply to requests only, so nothing else can change. Anything else
returns None and goes to the engine: other operations, URN or extension
paths, read-only, immutable or write-only targets, `primary`, values that
are not strings, several primary entries.
`tests/emulator/test_scim_fast_paths.py` checks that both give the same user.
"""

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from scim2_models import Mutability, Path, Returned, ScimPolicy
from scim2_models.path import AttributeBinding

PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
_PATH = re.compile(
    r'([A-Za-z][\w-]*)(?:\[([A-Za-z][\w-]*) (?i:eq) "([^"\\]*)"\])?(?:\.([A-Za-z][\w-]*))?'
)
_OPS = ("replace", "add")
_KEYS = {"op", "path", "value"}
_STRING_TYPES = (str, EmailStr)


@dataclass(frozen=True)
class _Target:
    """Where a path writes, as keys of the stored document (SCIM names)."""

    attribute: str
    sub_attribute: str | None
    selector: AttributeBinding | None
    """The sub-attribute the filter compares, when the path has one."""
    selector_key: str | None
    multivalued: bool
    value_type: TypeAdapter[Any]
    """The written field's type: what the whole user's validation and dump do to a value."""
    selector_type: TypeAdapter[Any] | None


@dataclass(frozen=True)
class _Write:
    target: _Target
    literal: str | None
    value: str


def apply(
    model: Any, policy: ScimPolicy, document: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any] | None:
    """The document with the PATCH `body` written into it, or None for the engine's cases.

    `model` is the resource class the paths are resolved against. The
    document is not changed; the result is in stored form (see the module
    docstring).
    """
    writes = _writes(model, body)
    if writes is None or policy.unmatched_path_filter != ScimPolicy.UnmatchedPathFilter.create:
        return None
    updated = dict(document)
    for write in writes:
        if not _write(updated, write, policy):
            return None
    return updated


def _writes(model: Any, body: dict[str, Any]) -> list[_Write] | None:
    operations = body.get("Operations")
    if set(body) != {"schemas", "Operations"} or body["schemas"] != [PATCH_OP_URN]:
        return None
    if not isinstance(operations, list) or not operations:
        return None
    writes = []
    for operation in operations:
        if not isinstance(operation, dict) or set(operation) != _KEYS:
            return None
        op, path, value = operation["op"], operation["path"], operation["value"]
        if not isinstance(op, str) or op.lower() not in _OPS:
            return None
        if not isinstance(path, str) or not isinstance(value, str) or not value:
            return None
        match = _PATH.fullmatch(path)
        if match is None or match.group(3) == "":
            return None
        attribute, selector, literal, sub_attribute = match.groups()
        target = _target(model, attribute, selector, sub_attribute)
        if target is None:
            return None
        writes.append(_Write(target, literal, value))
    return writes


@functools.lru_cache(maxsize=256)
def _target(
    model: Any, attribute: str, selector: str | None, sub_attribute: str | None
) -> _Target | None:
    """Resolve a path with scim2-models; None unless it writes one plain string."""
    head = Path[model](attribute).resolve()
    if head is None or head.model is not model or not _writable(head):
        return None
    if sub_attribute is None:
        if selector is not None or head.is_multivalued or not _is_string(head):
            return None
        return _Target(_name(head), None, None, None, False, _field_type(head), None)
    sub = Path[model](f"{attribute}.{sub_attribute}").resolve()
    if sub is None or sub.sub_field_name in (None, "primary") or not _writable(sub):
        return None
    if not _is_string(sub) or sub.target_is_multivalued:
        return None
    if selector is None:
        if head.is_multivalued:
            return None
        return _Target(_name(head), _name(sub), None, None, False, _field_type(sub), None)
    compared = Path[model](f"{attribute}.{selector}").resolve()
    if not head.is_multivalued or compared is None or compared.sub_field_name is None:
        return None
    if compared.sub_field_name == sub.sub_field_name or not _is_string(compared):
        return None
    return _Target(
        _name(head),
        _name(sub),
        compared,
        _name(compared),
        True,
        _field_type(sub),
        _field_type(compared),
    )


def _writable(binding: AttributeBinding) -> bool:
    model = binding.model
    return (
        model.get_field_annotation(binding.field_name, Mutability) == Mutability.read_write
        and model.get_field_annotation(binding.field_name, Returned) != Returned.never
        and binding.get_annotation(Mutability) == Mutability.read_write
        and binding.get_annotation(Returned) != Returned.never
    )


def _is_string(binding: AttributeBinding) -> bool:
    kind = binding.target_type
    return kind in _STRING_TYPES or (isinstance(kind, type) and issubclass(kind, StrEnum))


def _field_type(binding: AttributeBinding) -> TypeAdapter[Any]:
    """The annotated type of the field a binding designates."""
    model = binding.target_model
    assert model is not None
    field = model.model_fields[binding.target_field_name]
    if not field.metadata:
        return TypeAdapter(field.annotation)
    return TypeAdapter(Annotated[(field.annotation, *field.metadata)])


def _stored(kind: TypeAdapter[Any], value: str) -> Any:
    """`value` validated and dumped as its field is; raises ValidationError."""
    return kind.dump_python(kind.validate_python(value), mode="json")


def _name(binding: AttributeBinding) -> str:
    """The SCIM name of the attribute a binding designates (the key in a document)."""
    model = binding.target_model
    assert model is not None
    return model._scim_name(binding.target_field_name)  # type: ignore[attr-defined]


def _write(document: dict[str, Any], write: _Write, policy: ScimPolicy) -> bool:
    """Put one string into the document; False when the engine must decide."""
    target = write.target
    try:
        value = _stored(target.value_type, write.value)
    except ValidationError:
        return False
    if target.sub_attribute is None:
        document[target.attribute] = value
        return True
    current = document.get(target.attribute)
    if not target.multivalued:
        if current is not None and not isinstance(current, dict):
            return False
        document[target.attribute] = {**(current or {}), target.sub_attribute: value}
        return True
    if current is not None and not isinstance(current, list):
        return False
    entries = [dict(entry) if isinstance(entry, dict) else entry for entry in current or []]
    if not all(isinstance(entry, dict) for entry in entries):
        return False
    if sum(entry.get("primary") is True for entry in entries) > 1:
        return False
    assert target.selector is not None and target.selector_key is not None
    assert target.selector_type is not None and write.literal is not None
    wanted = target.selector.comparable(write.literal, policy)
    matched = [
        entry
        for entry in entries
        if isinstance(entry.get(target.selector_key), str)
        and target.selector.comparable(entry[target.selector_key], policy) == wanted
    ]
    for entry in matched:
        entry[target.sub_attribute] = value
    if not matched:
        try:
            literal = _stored(target.selector_type, write.literal)
        except ValidationError:
            return False
        entries.append({target.selector_key: literal, target.sub_attribute: value})
    document[target.attribute] = entries
    return True
