"""What a planned change of `AttributeMappings` means for the backup accounts, for `review`.

Two changes are risky and flagged: a different matching attribute (or a different source for it),
because Entra then looks existing accounts up by another value and may create duplicates or stop
updating them; and a scoping filter that gains clauses, because assigned users who fail a clause
leave provisioning scope and their accounts are disabled. `live` in the old state shows what the
portal has, so a restored portal edit is named too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ATTRIBUTE_MAPPINGS = "pulumi-python:dynamic/entra:AttributeMappings"
TEMPLATE_MATCHING = ("userName", "[userPrincipalName]")
"""The `scim` template matches accounts by `userName`, mapped from `userPrincipalName`."""


def mapping_changes(
    op: str, old: Mapping[str, Any], new: Mapping[str, Any]
) -> list[tuple[str, bool]]:
    """(text, risky) lines for one planned step."""
    if op == "delete":
        return [
            (
                "the attribute mappings and scoping filter go back to the template's defaults "
                "(userName from userPrincipalName, no scoping filter)",
                bool(_matching(old.get("mappings"))) or bool(old.get("scoping_filter")),
            )
        ]
    before = _entries(old.get("mappings")) if op != "create" else {}
    live = _entries((old.get("live") or {}).get("mappings")) if op != "create" else {}
    found: list[tuple[str, bool]] = []
    for target, entry in _entries(new.get("mappings")).items():
        found += _mapping_lines(target, before.get(target), live.get(target), entry)
    found += _scope_lines(op, old, new)
    return found


def _entries(items: Any) -> dict[str, dict[str, Any]]:
    return {str(i.get("target")): i for i in items or [] if isinstance(i, dict)}


def _matching(items: Any) -> list[str]:
    return [str(i.get("target")) for i in items or [] if isinstance(i, dict) and i.get("matching")]


def _mapping_lines(
    target: str,
    before: Mapping[str, Any] | None,
    live: Mapping[str, Any] | None,
    entry: Mapping[str, Any],
) -> list[tuple[str, bool]]:
    source = entry.get("source")
    shown = "no mapping" if source is None else f"mapped from {source}"
    matching = entry.get("matching") is True or target == TEMPLATE_MATCHING[0]
    if before is None:
        risky = matching and source is not None and source != TEMPLATE_MATCHING[1].strip("[]")
        line = f"{target} will be {shown}"
        if risky:
            line += (
                ": accounts are matched by it, so existing backup accounts may no longer be "
                "found (duplicates, or accounts left unmanaged)"
            )
        return [(line, risky)]
    lines: list[tuple[str, bool]] = []
    declared_changed = before.get("source") != source or before.get("default") != entry.get(
        "default"
    )
    if declared_changed:
        lines.append((f"{target}: {before.get('source')} → {source}", matching))
    elif live and live.get("source") not in (None, source) and f"[{source}]" != live["source"]:
        lines.append(
            (
                f"{target} was changed outside Pulumi (live: {live['source']}); "
                f"restored to {source}",
                matching,
            )
        )
    if before.get("matching") != entry.get("matching") and entry.get("matching") is not None:
        lines.append(
            (
                f"the matching attribute changes ({target} matching: {entry.get('matching')}): "
                "existing backup accounts may be matched differently",
                True,
            )
        )
    return lines


def _scope_lines(op: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, bool]]:
    wanted = new.get("scoping_filter")
    if wanted is None:
        return []
    had = [] if op == "create" else list(old.get("scoping_filter") or [])
    live = (old.get("live") or {}).get("scoping_filter") if op != "create" else None
    lines = []
    for clause in wanted:
        if clause not in had:
            lines.append(
                (
                    f"scoping filter gains '{clause}': assigned users who fail it leave "
                    "provisioning scope and their backup accounts are disabled",
                    True,
                )
            )
    lines += [
        (f"scoping filter drops '{c}': more users come into scope", False)
        for c in had
        if c not in wanted
    ]
    if live is not None and sorted(live) != sorted(had) and had == list(wanted):
        lines.append(
            (f"the scoping filter was changed outside Pulumi (live: {live}); restored", True)
        )
    return lines
