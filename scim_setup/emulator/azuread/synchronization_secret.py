"""`azuread:index/synchronizationSecret:SynchronizationSecret`, as terraform-provider-azuread's
`internal/services/synchronization/synchronization_secret_resource.go` (and the flatten/expand
helpers of `synchronization.go`) does it.

`servicePrincipalId` forces replacement; `credentials` is a list of `{key, value}` whose values are
secret in state (upstream marks `value` Sensitive). Graph merges keys on PUT and reads sensitive
values back as `*`. Timeouts: 5 minutes each. The id, also the import id, is
`/servicePrincipals/{objectId}`.
"""

from __future__ import annotations

from typing import Any

from providers.graph.client import GraphError
from scim_setup.emulator.azuread.errors import ProviderError
from scim_setup.emulator.azuread.graph import synchronization_retry, was_not_found
from scim_setup.emulator.azuread.ids import service_principal_id
from scim_setup.emulator.azuread.locks import SERVICE_PRINCIPAL
from scim_setup.emulator.azuread.resource import SERVICE_PRINCIPAL_ID, Input, Resource
from scim_setup.emulator.azuread.waits import wait_for_deletion, wait_for_update
from scim_setup.emulator.azuread.wire import Properties, Secret, reveal

MASK = "*"


class SynchronizationSecret(Resource):
    token = "azuread:index/synchronizationSecret:SynchronizationSecret"
    inputs = (SERVICE_PRINCIPAL_ID, Input("credentials"))

    def create(self, inputs: Properties, deadline: float) -> tuple[str, Properties]:
        """`synchronizationSecretResourceCreate`: PUT the keys, wait until Graph lists as many
        keys as were sent (5 reads in a row), then read with the sent values as the state."""
        sp_path = str(inputs["servicePrincipalId"])
        sent = _pairs(inputs.get("credentials"))
        with self.locks.hold(SERVICE_PRINCIPAL, service_principal_id(sp_path)):
            self._put(sp_path, sent, deadline, "Creating")
        return sp_path, self._read_or_fail(sp_path, sent)

    def update(
        self, resource_id: str, state: Properties, news: Properties, deadline: float
    ) -> Properties:
        """`synchronizationSecretResourceUpdate`: the same PUT and wait as create."""
        sent = _pairs(news.get("credentials"))
        with self.locks.hold(SERVICE_PRINCIPAL, service_principal_id(resource_id)):
            self._put(resource_id, sent, deadline, "Updating")
        return self._read_or_fail(resource_id, sent)

    def read(self, resource_id: str, state: Properties) -> tuple[str, Properties] | None:
        """`synchronizationSecretResourceRead`: every key Graph lists; a masked value keeps the
        value the state has for that key."""
        sp_id = service_principal_id(resource_id)
        try:
            listed = self.graph.call("GET", _path(sp_id))
        except GraphError as error:
            if was_not_found(error):
                return None
            raise ProviderError(
                f"Retrieving synchronization secrets for {resource_id}: {error}"
            ) from None
        if listed.get("value") is None:
            return None
        current = _pairs(state.get("credentials"))
        outputs = {
            "id": resource_id,
            "servicePrincipalId": resource_id,
            "credentials": _secret_values(_flatten(listed["value"], current)),
        }
        return resource_id, outputs

    def delete(self, resource_id: str, state: Properties, deadline: float) -> None:
        """`synchronizationSecretResourceDelete`: PUT every key of the state with an empty value,
        then wait until none of them is listed (5 reads in a row)."""
        sp_id = service_principal_id(resource_id)
        with self.locks.hold(SERVICE_PRINCIPAL, sp_id):
            self._delete(resource_id, sp_id, _pairs(state.get("credentials")), deadline)

    def _delete(
        self, resource_id: str, sp_id: str, declared: list[dict[str, str]], deadline: float
    ) -> None:
        emptied = [{"key": pair["key"], "value": ""} for pair in declared]
        self._write(sp_id, emptied, deadline, f"Removing synchronization secrets for {resource_id}")

        def still_there() -> bool:
            try:
                listed = self.graph.call("GET", _path(sp_id))
            except GraphError as error:
                if was_not_found(error):
                    return False
                raise ProviderError(f"retrieving resource: {error}") from None
            keys = {pair.get("key") for pair in listed.get("value") or []}
            return any(pair["key"] in keys for pair in emptied)

        try:
            wait_for_deletion(self.clock, deadline, still_there)
        except ProviderError as error:
            raise ProviderError(
                f"Waiting for deletion of synchronization secrets {resource_id}: {error}"
            ) from None

    def _put(self, sp_path: str, sent: list[dict[str, str]], deadline: float, verb: str) -> None:
        sp_id = service_principal_id(sp_path)
        self._write(sp_id, sent, deadline, f"{verb} synchronization secret for {sp_path}")

        def as_many_keys() -> bool:
            try:
                listed = self.graph.call(
                    "GET", _path(sp_id), retry_if=synchronization_retry, deadline=deadline
                )
            except GraphError as error:
                raise ProviderError(f"retrieving synchronization secret: {error}") from None
            return len(listed.get("value") or []) == len(sent)

        try:
            wait_for_update(self.clock, deadline, as_many_keys)
        except ProviderError as error:
            raise ProviderError(
                f"Waiting for synchronization secrets for {sp_path}: {error}"
            ) from None

    def _write(self, sp_id: str, pairs: list[dict[str, str]], deadline: float, doing: str) -> None:
        """`SetSynchronizationSecret` with `synchronizationRetryFunc`."""
        try:
            self.graph.call(
                "PUT",
                _path(sp_id),
                {"value": pairs},
                retry_if=synchronization_retry,
                deadline=deadline,
            )
        except GraphError as error:
            raise ProviderError(f"{doing}: {error}") from None

    def _read_or_fail(self, sp_path: str, sent: list[dict[str, str]]) -> Properties:
        found = self.read(sp_path, {"credentials": sent})
        if found is None:
            raise ProviderError(f"Retrieving synchronization secrets for {sp_path}: not found")
        return found[1]


def _path(sp_id: str) -> str:
    return f"/servicePrincipals/{sp_id}/synchronization/secrets"


def _pairs(credentials: Any) -> list[dict[str, str]]:
    """`expandSynchronizationSecretKeyStringValuePair`: the declared pairs, values revealed."""
    return [
        {"key": str(item.get("key")), "value": str(item.get("value") or "")}
        for item in reveal(credentials) or []
        if isinstance(item, dict)
    ]


def _flatten(listed: list[dict[str, Any]], current: list[dict[str, str]]) -> list[dict[str, str]]:
    """`flattenSynchronizationSecretKeyStringValuePair`: Graph's pairs in Graph's order; `*`
    replaced by the current value of the same key."""
    known = {pair["key"]: pair["value"] for pair in current}
    flattened = []
    for item in listed:
        key, value = str(item.get("key") or ""), str(item.get("value") or "")
        if value == MASK and key in known:
            value = known[key]
        flattened.append({"key": key, "value": value})
    return flattened


def _secret_values(pairs: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each value secret, as the bridge marks a Sensitive attribute."""
    return [{"key": pair["key"], "value": Secret(pair["value"])} for pair in pairs]
