"""Turn the non-RFC shapes Microsoft Entra ID sends into RFC 7643/7644 shapes.

Each function takes a payload as Entra sends it and returns one that
scim2-models validates. Only what the library does not already tolerate is
rewritten here; capitalised ops, `"True"`/`"False"` strings, dotted keys in a
no-path replace, member removal by `value` and `add` on an unmatched filter
path are handled by the `ScimPolicy` in `scim_setup.emulator.scim_resources`.
Section names refer to `shared/research/scim-endpoint.md`.
"""

import re
from typing import Any

ENTERPRISE_USER_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MISSPELT_ENTERPRISE_USER_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"
ADSCIM_GROUP_URN = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
MANAGER_PATH = f"{ENTERPRISE_USER_URN}:manager"

_QUOTED = re.compile(r'("(?:[^"\\]|\\.)*")')
_BARE_VALUE = re.compile(r"(?i)(\b(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+)([^\s()\"]+)")
_LITERALS = {"true", "false", "null"}
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def user_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Fix a `POST /Users` body: the misspelt `…:2.0User` enterprise URN (§1 Create user)."""
    fixed = {_fix_urn(key): value for key, value in payload.items()}
    if isinstance(fixed.get("schemas"), list):
        fixed["schemas"] = _unique(_fix_urn(schema) for schema in fixed["schemas"])
    return fixed


def group_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop Microsoft's ADSCIM group schema from a `POST /Groups` body (§1 Groups).

    The schema adds no attribute Entra sends, so the group is a core Group.
    """
    fixed = {key: value for key, value in payload.items() if key != ADSCIM_GROUP_URN}
    if isinstance(fixed.get("schemas"), list):
        fixed["schemas"] = [schema for schema in fixed["schemas"] if schema != ADSCIM_GROUP_URN]
    return fixed


def user_patch(payload: dict[str, Any]) -> dict[str, Any]:
    """Fix a `PATCH /Users/{id}` body: `manager` ops and the misspelt URN (§1 Update).

    Entra writes the manager as `{"op":"Add","path":"manager","value":[{"$ref":…,
    "value":id}]}`; RFC 7643 puts it in the enterprise extension as one object.
    """
    operations = payload.get("Operations")
    if not isinstance(operations, list):
        return payload
    return {**payload, "Operations": [_fix_user_operation(op) for op in operations]}


def filter_expression(expression: str) -> str:
    """Quote the bare values of a filter, as in `externalId eq jyoung` (§1 Lookups).

    Quoted strings are left alone; `true`, `false`, `null` and numbers stay literals.
    """
    parts = _QUOTED.split(expression)
    parts[::2] = [_BARE_VALUE.sub(_quote_bare, part) for part in parts[::2]]
    return "".join(parts)


def _quote_bare(match: re.Match[str]) -> str:
    operator, value = match.groups()
    if value.lower() in _LITERALS or _NUMBER.fullmatch(value):
        return match.group(0)
    return f'{operator}"{value}"'


def _fix_user_operation(operation: Any) -> Any:
    if not isinstance(operation, dict):
        return operation
    operation = dict(operation)
    path = operation.get("path")
    if isinstance(path, str):
        operation["path"] = path = _fix_urn(path)
        if path.lower() in ("manager", MANAGER_PATH.lower()):
            operation["path"] = MANAGER_PATH
            if "value" in operation:
                operation["value"] = _manager_value(operation["value"])
    value = operation.get("value")
    if path is None and isinstance(value, dict):
        operation["value"] = {_fix_urn(key): item for key, item in value.items()}
    return operation


def _manager_value(value: Any) -> Any:
    """Entra sends a list of one reference, or a bare id; the schema wants one object."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return {"value": value}
    return value


def _fix_urn(text: str) -> str:
    if text.startswith(MISSPELT_ENTERPRISE_USER_URN):
        return ENTERPRISE_USER_URN + text[len(MISSPELT_ENTERPRISE_USER_URN) :]
    return text


def _unique(items: Any) -> list[Any]:
    return list(dict.fromkeys(items))
