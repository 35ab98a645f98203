"""A `POST /Users` body validated without the creation context's walk over every field.

In the resource-creation context, scim2-models validates a body as usual and
then has every model instance walk all of its fields: readOnly values are
dropped (RFC 7644 §3.3 ignores them in a create), a missing required
attribute is refused, and so are two `primary` entries of a multi-valued
attribute. For a user that walk is about two thirds of the validation's CPU
(issue 13), yet only a handful of fields can ever trip it, and which ones is
written in the same annotations the walk reads (`Mutability`, `Required`).

`validated` runs the ordinary validation, then applies those rules to just
those fields. It returns None, and the caller validates in the creation
context as before (getting its error), for everything else: a body without
its `schemas` key (the ordinary validation would add one), a value for an
attribute whose own sub-attributes carry such rules (the enterprise
extension and its manager), a policy under which the creation context checks
more (unknown schemas forbidden, a custom comparison key), a missing
required attribute, two primary entries, or any validation error.
`tests/emulator/test_scim_fast_paths.py` checks that both give the same user.
"""

import functools
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from scim2_models import Mutability, Required, ScimPolicy, default_comparison_key


@dataclass(frozen=True)
class _Rules:
    """The fields of a resource class that the creation context's walk acts on."""

    read_only: frozenset[str]
    required: frozenset[str]
    with_primary: frozenset[str]
    """Multi-valued complex attributes whose entries have a `primary` flag."""
    with_own_rules: frozenset[str]
    """Complex attributes whose sub-attributes the walk acts on too."""


def validated(model: Any, policy: ScimPolicy, body: dict[str, Any]) -> Any | None:
    """The resource a create with `body` makes, or None when the caller must validate it."""
    if "schemas" not in body or sum(key.lower() == "schemas" for key in body) != 1:
        return None
    if policy.unknown == ScimPolicy.Unknown.forbid:
        return None
    if policy.comparison_key is not default_comparison_key:
        return None
    try:
        resource = model.model_validate(body, scim_policy=policy)
    except ValidationError:
        return None
    rules = _rules(model)
    given = resource.model_fields_set
    if given & rules.with_own_rules:
        return None
    for name in rules.required:
        value = getattr(resource, name)
        if value is None or (value == [] and name != "schemas"):
            return None
    for name in rules.with_primary:
        entries = getattr(resource, name) or []
        if sum(getattr(entry, "primary", None) is True for entry in entries) > 1:
            return None
    for name in rules.read_only & given:
        resource.__dict__[name] = None  # as the walk does: ignored, still "given"
    return resource


@functools.cache
def _rules(model: Any) -> _Rules:
    read_only, required, with_primary, with_own_rules = set(), set(), set(), set()
    for name in model.model_fields:
        kind = model.get_field_root_type(name)
        complex_kind = isinstance(kind, type) and issubclass(kind, BaseModel)
        if model.get_field_annotation(name, Mutability) == Mutability.read_only:
            read_only.add(name)
            # Dropped whole, but its own walk runs first and may refuse it.
            if complex_kind and _can_refuse(kind):
                with_own_rules.add(name)
            continue
        if model.get_field_annotation(name, Required) == Required.true:
            required.add(name)
        if not complex_kind:
            continue
        if model.get_field_multiplicity(name) and "primary" in kind.model_fields:
            with_primary.add(name)
        if _has_rules(kind):
            with_own_rules.add(name)
    return _Rules(
        frozenset(read_only),
        frozenset(required),
        frozenset(with_primary),
        frozenset(with_own_rules),
    )


def _has_rules(model: Any) -> bool:
    """Whether the walk can act on any field of `model`, a complex attribute's class."""
    rules = _rules(model)
    return bool(rules.read_only or rules.required or rules.with_primary or rules.with_own_rules)


def _can_refuse(model: Any) -> bool:
    """Whether the walk over `model`'s fields can refuse a value (not only drop one)."""
    rules = _rules(model)
    return bool(rules.required or rules.with_primary or rules.with_own_rules)
