"""Memoisations that scim2-models 0.12.3 and pydantic 2.13 lack, for the SCIM endpoint.

Profiling the Entra provisioning mix (issue 13) showed most of a PATCH's CPU
time in work that gives the same answer every time:

- scim2-models builds a new pydantic `TypeAdapter` (a whole core schema) each
  time a filter value is compared with a typed attribute, as in
  `emails[type eq "work"].value` (`scim2_models.path.resolution`);
- scim2-models compares every path of a PATCH with every schema URN the
  resource knows, several times per operation, to see whether the path is a
  bare URN (`_designated_model`, imported by three of its modules);
- pydantic asks `inspect.signature` of a default factory each time a model
  with a private attribute is created (`pydantic._internal._fields`);
- email-validator checks the domain of every email address character by
  character against the IDNA tables (`validate_email_domain_name`), though a
  tenant's addresses share a handful of domains.

Each is a pure function of types, callables and path strings, so `install()`
puts a cache in front of each. Inputs that cannot be hashed go to the original function.
Validation results do not change: the whole test suite runs with the caches
on. Drop this module when the pinned versions memoise themselves.
"""

import functools
import importlib
from collections.abc import Callable
from typing import Any

import pydantic._internal._fields as pydantic_fields
import scim2_models.path.access as scim_access
import scim2_models.path.path as scim_path
import scim2_models.path.resolution as scim_resolution

_installed = False
email_validation = importlib.import_module("email_validator.validate_email")
"""The module, not the function of the same name the package exports."""


def install() -> None:
    """Put the caches in place (once per process)."""
    global _installed
    if _installed:
        return
    scim_resolution.TypeAdapter = _memoised(scim_resolution.TypeAdapter)  # type: ignore[attr-defined]
    designated_model = _memoised(scim_resolution._designated_model)
    for module in (scim_resolution, scim_path, scim_access):
        module._designated_model = designated_model  # type: ignore[attr-defined]
    pydantic_fields.takes_validated_data_argument = _memoised(  # type: ignore[assignment]
        pydantic_fields.takes_validated_data_argument
    )
    email_validation.validate_email_domain_name = _copied(  # type: ignore[assignment]
        _memoised(email_validation.validate_email_domain_name)
    )
    _installed = True


def _memoised(function: Callable[..., Any]) -> Callable[..., Any]:
    cached = functools.lru_cache(maxsize=512)(function)

    @functools.wraps(function)
    def lookup(*args: Any, **kwargs: Any) -> Any:
        try:
            return cached(*args, **kwargs)
        except TypeError:
            return function(*args, **kwargs)

    return lookup


def _copied(function: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
    """A memoised function that returns a dictionary: each caller gets its own copy."""

    @functools.wraps(function)
    def copy(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return dict(function(*args, **kwargs))

    return copy
