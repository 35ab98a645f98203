"""Turn the one non-RFC shape Okta sends into what scim2-models validates.

Okta renames a pushed group with a replace without `path` whose value repeats
the group's own `id` (`{"op":"replace","value":{"id":…,"displayName":…}}`,
Okta's SCIM 2.0 guide, "Update a specific Group name"). `id` is readOnly, so
RFC 7644 would refuse the operation; the repeated id changes nothing, so it
is dropped. Any other id stays and is refused as the readOnly change it is.
"""

import copy
from typing import Any


def group_patch(payload: dict[str, Any], group_id: str) -> dict[str, Any]:
    """Drop `id: <this group's id>` from the values of no-path operations."""
    operations = payload.get("Operations")
    if not isinstance(operations, list):
        return payload
    fixed = copy.copy(payload)
    fixed["Operations"] = [_without_own_id(operation, group_id) for operation in operations]
    return fixed


def _without_own_id(operation: Any, group_id: str) -> Any:
    if not isinstance(operation, dict) or operation.get("path") is not None:
        return operation
    value = operation.get("value")
    if not isinstance(value, dict) or value.get("id") != group_id:
        return operation
    return {**operation, "value": {key: item for key, item in value.items() if key != "id"}}
