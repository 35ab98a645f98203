"""What every stand-in resource shares: its inputs' schema, Check, Diff and the inputs Read
reports, as pulumi-terraform-bridge derives them from the upstream resource's schema.

- Check applies defaults and each input's validation (`ValidateFunc`) and reports missing
  required inputs; values not known yet are not validated.
- Diff compares the new inputs with the state (the outputs of the last Create, Update or Read),
  input by input and exactly (upstream declares no case-insensitive diff for our inputs); a change
  of a `ForceNew` input is a replacement. Absent, null and empty lists compare equal, as in
  Terraform.
- Read reports inputs taken from what it read (the bridge's `ExtractInputsFromOutputs`), so an
  import whose program differs from Graph fails the engine's comparison.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from scim_setup.emulator.azuread.graph import Graph
from scim_setup.emulator.azuread.ids import InvalidId, is_uuid, service_principal_id
from scim_setup.emulator.azuread.locks import NamedLocks
from scim_setup.emulator.azuread.timing import Clock
from scim_setup.emulator.azuread.wire import Properties, is_known, reveal

Validate = Callable[[str, Any], str | None]
"""(wire name, value) → why the value is invalid, or None."""

MINUTE = 60.0


@dataclass(frozen=True)
class Input:
    """One input of the resource, by its wire (camelCase) name."""

    name: str
    required: bool = False
    force_new: bool = False
    default: Any = None
    validate: Validate | None = None


@dataclass(frozen=True)
class Failure:
    property: str
    reason: str


@dataclass(frozen=True)
class Diff:
    changed: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReadResult:
    id: str
    outputs: Properties
    inputs: Properties


class Resource(ABC):
    """A resource type; one instance serves every resource of that type."""

    token: ClassVar[str]
    inputs: ClassVar[Sequence[Input]]
    create_timeout_s: ClassVar[float] = 5 * MINUTE
    read_timeout_s: ClassVar[float] = 5 * MINUTE
    update_timeout_s: ClassVar[float] = 5 * MINUTE
    delete_timeout_s: ClassVar[float] = 5 * MINUTE

    def __init__(self, graph: Graph, clock: Clock, locks: NamedLocks) -> None:
        self.graph = graph
        self.clock = clock
        self.locks = locks

    def check(self, news: Properties) -> tuple[Properties, list[Failure]]:
        checked = dict(news)
        failures = []
        for spec in self.inputs:
            value = checked.get(spec.name)
            if value is None and spec.default is not None:
                checked[spec.name] = value = spec.default
            if value is None:
                if spec.required:
                    failures.append(Failure(spec.name, f"Missing required property '{spec.name}'"))
                continue
            if spec.validate is not None and is_known(value):
                problem = spec.validate(spec.name, reveal(value))
                if problem:
                    failures.append(Failure(spec.name, problem))
        return checked, failures

    def diff(self, state: Properties, news: Properties, ignore: Sequence[str] = ()) -> Diff:
        result = Diff()
        for spec in self.inputs:
            if spec.name in ignore:
                continue
            old, new = state.get(spec.name), news.get(spec.name)
            if is_known(new) and _same(reveal(old), reveal(new)):
                continue
            result.changed.append(spec.name)
            if spec.force_new:
                result.replaces.append(spec.name)
            if _empty(old):
                result.added.append(spec.name)
            elif _empty(new):
                result.deleted.append(spec.name)
        return result

    def inputs_from(self, outputs: Properties, old_inputs: Properties | None = None) -> Properties:
        """The inputs a Read reports: the input properties of `outputs` (those the old inputs
        had, on a refresh; every one that is set, on an import)."""
        names = [s.name for s in self.inputs]
        if old_inputs:
            names = [n for n in names if n in old_inputs]
        return {n: outputs[n] for n in names if outputs.get(n) is not None}

    @abstractmethod
    def create(self, inputs: Properties, deadline: float) -> tuple[str, Properties]:
        """Create, then read back: (id, outputs)."""

    @abstractmethod
    def read(self, resource_id: str, state: Properties) -> tuple[str, Properties] | None:
        """(id, outputs) as Graph has them now; None when the object is gone."""

    def update(
        self, resource_id: str, state: Properties, news: Properties, deadline: float
    ) -> Properties:
        """Only resources with inputs that do not force replacement have an update."""
        raise NotImplementedError(f"{self.token} has no update: every input forces replacement")

    @abstractmethod
    def delete(self, resource_id: str, state: Properties, deadline: float) -> None: ...

    def read_result(
        self, resource_id: str, state: Properties, old_inputs: Properties | None
    ) -> ReadResult | None:
        found = self.read(resource_id, state)
        if found is None:
            return None
        new_id, outputs = found
        return ReadResult(new_id, outputs, self.inputs_from(outputs, old_inputs))


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _same(old: Any, new: Any) -> bool:
    if _empty(old) and _empty(new):
        return True
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    return old == new


def must_be_uuid(name: str, value: Any) -> str | None:
    """`validation.IsUUID`."""
    return None if is_uuid(value) else f'expected "{name}" to be a valid UUID, got {value}'


def must_not_be_empty(name: str, value: Any) -> str | None:
    """`validation.StringIsNotEmpty`."""
    if isinstance(value, str) and value:
        return None
    return f'expected "{name}" to not be an empty string, got {value!r}'


def must_be_service_principal_id(name: str, value: Any) -> str | None:
    """`stable.ValidateServicePrincipalID`: `/servicePrincipals/{objectId}`."""
    try:
        service_principal_id(str(value))
    except InvalidId as error:
        return str(error)
    return None


SERVICE_PRINCIPAL_ID = Input(
    "servicePrincipalId", required=True, force_new=True, validate=must_be_service_principal_id
)
"""The job's and the secret's `service_principal_id`: `/servicePrincipals/{objectId}`, ForceNew."""
