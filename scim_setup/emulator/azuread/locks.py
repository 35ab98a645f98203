"""`tf.LockByName`: upstream serializes the writes to one service principal's synchronization
(job create and delete, secret create, update and delete lock `azuread_service_principal` by its
object id), so two resources of one app never write at the same time within one provider."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class NamedLocks:
    """One lock per (kind, name), made on first use; one set per provider process."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}

    @contextmanager
    def hold(self, kind: str, name: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault((kind, name), threading.Lock())
        with lock:
            yield


SERVICE_PRINCIPAL = "azuread_service_principal"
