"""The user attribute mappings and scoping filter inside a job's synchronization schema.

Graph's `synchronizationSchema` (learn.microsoft.com graph/api/resources/
synchronization-synchronizationschema) holds `directories` and `synchronizationRules`; each rule's
`objectMappings` carry `attributeMappings` (`targetAttributeName`, `source`, `defaultValue`,
`matchingPriority`, `flowType`, ...) and a `scope` filter (`groups` of `clauses`, each
`{sourceOperandName, operatorName, targetOperand: {values}}`; resources/synchronization-filter).
`PUT .../schema` replaces the whole schema, so `apply` changes a copy of the live one in exactly
the declared places; `drift` names every declared place where the live schema differs.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from providers.graph.mapping_expression import canonical, expression_of

ENTRA_DIRECTORY = "Azure Active Directory"
"""`sourceDirectoryName` of the rules that provision from Entra ID."""

USER_OBJECT = "User"
SCOPE_GROUP_NAME = "scim-setup"
"""The name of the one filter group this package writes (all its clauses must hold)."""

OPERATORS = ("NOT EQUALS", "EQUALS", "IS NOT NULL", "IS NULL", "IS TRUE", "IS FALSE")
"""Scoping operators as the portal names them; `EQUALS` as in Graph's filter example. Longer
names first, so `NOT EQUALS` is not read as `EQUALS`."""

UNARY_OPERATORS = frozenset({"IS NOT NULL", "IS NULL", "IS TRUE", "IS FALSE"})


class SchemaError(ValueError):
    """The live schema has no user mapping from Entra ID; the message says what to check."""


@dataclass(frozen=True)
class DeclaredMapping:
    """One `entra:attributeMappings` entry. `source` None removes the target's mapping;
    `matching` None keeps the live matching precedence."""

    target: str
    source: str | None
    default: str | None = None
    matching: bool | None = None

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> DeclaredMapping:
        return cls(
            target=str(props["target"]),
            source=props.get("source"),
            default=props.get("default"),
            matching=props.get("matching"),
        )


@dataclass(frozen=True)
class ScopeClause:
    attribute: str
    operator: str
    value: str | None

    @property
    def text(self) -> str:
        value = "" if self.value is None else f" {self.value}"
        return f"{self.attribute} {self.operator}{value}"

    def graph(self) -> dict[str, Any]:
        values = [] if self.value is None else [self.value]
        return {
            "sourceOperandName": self.attribute,
            "operatorName": self.operator,
            "targetOperand": {"values": values},
        }


def parse_clause(text: str) -> ScopeClause:
    """`department EQUALS Sales` → a clause; raises ValueError saying what a clause looks like."""
    words = " ".join(str(text).split())
    upper = words.upper()
    for operator in OPERATORS:
        if operator in UNARY_OPERATORS:
            if not upper.endswith(f" {operator}"):
                continue
            attribute, value = words[: -len(operator)].strip(), None
        else:
            at = upper.find(f" {operator} ")
            if at < 0:
                continue
            attribute = words[:at].strip()
            value = words[at + len(operator) + 2 :].strip().strip('"') or None
        if attribute and " " not in attribute and (operator in UNARY_OPERATORS or value):
            return ScopeClause(attribute, operator, value)
        break
    raise ValueError(
        f"{text!r} is not a clause like 'department EQUALS Sales' (operators: "
        f"{', '.join(OPERATORS)})"
    )


def user_mapping(schema: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the rule, its object mapping) that provisions Entra ID users."""
    for rule in schema.get("synchronizationRules") or []:
        if rule.get("sourceDirectoryName") != ENTRA_DIRECTORY:
            continue
        for mapping in rule.get("objectMappings") or []:
            if mapping.get("sourceObjectName") == USER_OBJECT:
                return rule, mapping
    raise SchemaError(
        "the job's synchronization schema has no rule provisioning Entra ID users; is this a "
        "`scim` provisioning job?"
    )


def live_view(schema: Mapping[str, Any], targets: Iterable[str]) -> dict[str, Any]:
    """The declared targets and the scoping filter as the live schema has them."""
    _rule, mapping = user_mapping(schema)
    by_target = _by_target(mapping)
    return {
        "mappings": [_view(target, by_target.get(target.lower())) for target in targets],
        "scoping_filter": scope_clauses(mapping.get("scope")),
    }


def drift(
    schema: Mapping[str, Any],
    declared: Sequence[DeclaredMapping],
    scoping_filter: Sequence[str] | None,
) -> list[str]:
    """One line per declared place the live schema differs from, naming the target."""
    _rule, mapping = user_mapping(schema)
    by_target = _by_target(mapping)
    found = []
    for entry in declared:
        live = _view(entry.target, by_target.get(entry.target.lower()))
        found += [f"{entry.target}: {line}" for line in _differences(entry, live)]
    if scoping_filter is not None:
        live_clauses = scope_clauses(mapping.get("scope"))
        wanted = [parse_clause(text).text for text in scoping_filter]
        if sorted(live_clauses) != sorted(wanted):
            found.append(f"scoping filter: {live_clauses or 'none'} (declared {wanted or 'none'})")
    return found


def apply(
    schema: Mapping[str, Any],
    declared: Sequence[DeclaredMapping],
    scoping_filter: Sequence[str] | None,
    sources: Mapping[str, dict[str, Any]],
) -> dict[str, Any]:
    """A copy of `schema` with the declared mappings and filter, for `PUT .../schema`.

    `sources` maps each declared target to its Graph `attributeMappingSource` tree. Only the
    `directories` and `synchronizationRules` are kept: `id` and `version` are Graph's to set.
    """
    updated = {
        "directories": copy.deepcopy(schema.get("directories") or []),
        "synchronizationRules": copy.deepcopy(schema.get("synchronizationRules") or []),
    }
    rule, mapping = user_mapping(updated)
    for entry in declared:
        _apply_one(mapping, entry, sources.get(entry.target))
        if entry.source is not None:
            _declare_target_attribute(updated, rule, mapping, entry.target)
    if scoping_filter is not None:
        clauses = [parse_clause(text).graph() for text in scoping_filter]
        mapping["scope"] = (
            {
                "groups": [{"name": SCOPE_GROUP_NAME, "clauses": clauses}],
                "inputFilterGroups": [],
                "categoryFilterGroups": [],
            }
            if clauses
            else None
        )
    return updated


def attribute_source(attribute: str) -> dict[str, Any]:
    """The `attributeMappingSource` of a plain attribute (Graph's documented sample)."""
    return {
        "expression": f"[{attribute}]",
        "name": attribute,
        "parameters": [],
        "type": "Attribute",
    }


def scope_clauses(scope: Mapping[str, Any] | None) -> list[str]:
    """The live filter's clauses as `attribute OPERATOR value` lines (every group's)."""
    if not scope:
        return []
    lines = []
    for group in scope.get("groups") or []:
        for clause in group.get("clauses") or []:
            values = (clause.get("targetOperand") or {}).get("values") or []
            value = ",".join(str(v) for v in values) or None
            lines.append(
                ScopeClause(
                    str(clause.get("sourceOperandName")), str(clause.get("operatorName")), value
                ).text
            )
    return lines


def _by_target(mapping: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        str(item.get("targetAttributeName", "")).lower(): item
        for item in mapping.get("attributeMappings") or []
    }


def _view(target: str, live: Mapping[str, Any] | None) -> dict[str, Any]:
    if live is None:
        return {"target": target, "source": None, "default": None, "matching": False}
    source = live.get("source") or {}
    return {
        "target": target,
        "source": source.get("expression") or None,
        "default": live.get("defaultValue"),
        "matching": int(live.get("matchingPriority") or 0) == 1,
    }


def _differences(entry: DeclaredMapping, live: Mapping[str, Any]) -> list[str]:
    if entry.source is None:
        present = live["source"] is not None or live["default"] is not None
        return [f"mapped from {live['source']} (declared: no mapping)"] if present else []
    found = []
    if live["source"] is None or canonical(live["source"]) != canonical(entry.source):
        found.append(f"source {live['source'] or 'none'} (declared {expression_of(entry.source)})")
    if (live["default"] or None) != (entry.default or None):
        found.append(f"default {live['default']!r} (declared {entry.default!r})")
    if entry.matching is not None and live["matching"] != entry.matching:
        was = "is" if live["matching"] else "is not"
        found.append(f"{was} the matching attribute (declared matching: {entry.matching})")
    return found


def _apply_one(
    mapping: dict[str, Any], entry: DeclaredMapping, source: dict[str, Any] | None
) -> None:
    items: list[dict[str, Any]] = mapping.setdefault("attributeMappings", [])
    live = next(
        (i for i in items if str(i.get("targetAttributeName", "")).lower() == entry.target.lower()),
        None,
    )
    if entry.source is None:
        if live is not None:
            items.remove(live)
        return
    if live is None:
        live = {
            "targetAttributeName": entry.target,
            "matchingPriority": 0,
            "flowType": "Always",
            "flowBehavior": "FlowWhenChanged",
            "exportMissingReferences": False,
        }
        items.append(live)
    live["source"] = source
    live["defaultValue"] = entry.default
    if entry.matching is True:
        for other in items:
            if other is not live and int(other.get("matchingPriority") or 0) > 0:
                other["matchingPriority"] = int(other["matchingPriority"]) + 1
        live["matchingPriority"] = 1
    elif entry.matching is False:
        live["matchingPriority"] = 0


def _declare_target_attribute(
    schema: dict[str, Any], rule: Mapping[str, Any], mapping: Mapping[str, Any], target: str
) -> None:
    """List `target` in the target directory's object, as the portal's attribute list editor
    does: Entra maps only attributes its directory definition declares."""
    directory_name = rule.get("targetDirectoryName")
    object_name = mapping.get("targetObjectName")
    for directory in schema.get("directories") or []:
        if directory.get("name") != directory_name:
            continue
        for item in directory.get("objects") or []:
            if item.get("name") != object_name:
                continue
            attributes = item.setdefault("attributes", [])
            if all(str(a.get("name", "")).lower() != target.lower() for a in attributes):
                attributes.append({"name": target, "type": "String", "multivalued": False})
