"""The review's Markdown: one stack's comment, and the pieces a fleet's comment is built from."""

from __future__ import annotations

from scim_setup.cli.preview_changes import Change, PolicyViolation, Preview

_OPS = {
    "create": "to create",
    "update": "to update",
    "replace": "to replace",
    "delete": "to delete",
}


def markdown(preview: Preview, found: list[Change]) -> str:
    """The PR comment: policy violations and warnings first, then every other change, then the
    engine's counts."""
    lines = [f"### SCIM setup review: stack `{preview.stack}`", ""]
    if preview.errors:
        lines += [_failure(preview), ""]
    lines += bullets(VIOLATIONS_TITLE, [violation_text(v) for v in preview.violations])
    if not found:
        lines += ["No changes: the setup already matches this configuration.", ""]
        return "\n".join(lines)
    lines += bullets(WARNINGS_TITLE, [c.text for c in found if c.warning])
    lines += change_lines(preview, found)
    return "\n".join(lines)


WARNINGS_TITLE = "**⚠️ Needs attention**"
VIOLATIONS_TITLE = "**⛔ Policy violations**"


def _failure(preview: Preview) -> str:
    """Why the preview failed: its mandatory violations (listed below it), or the engine's error."""
    detail = "; ".join(e for e in preview.errors if e != "preview failed")
    mandatory = sum(v.mandatory for v in preview.violations)
    if mandatory:
        plural = "s" if mandatory > 1 else ""
        cause = f"{mandatory} mandatory policy violation{plural}, listed below"
        return f"> ⚠️ `pulumi preview` failed: {cause}" + (f"; {detail}" if detail else "")
    return "> ⚠️ `pulumi preview` failed (a mandatory policy or an error; its log says which)" + (
        f": {detail}" if detail else ""
    )


def violation_text(violation: PolicyViolation) -> str:
    """Severity, rule (and its pack), resource, then the policy's own words."""
    level = violation.level.capitalize()
    level = f"**{level}**" if violation.mandatory else level
    pack = f" ({violation.pack})" if violation.pack else ""
    target = (
        f"{violation.resource_kind} `{violation.resource_name}`" if violation.urn else "the stack"
    )
    return f"{level} `{violation.policy}`{pack} on {target}: {violation.message}"


def change_lines(preview: Preview, found: list[Change]) -> list[str]:
    """The changes that are not warnings, then the engine's counts: one stack's body."""
    lines = bullets("**Changes**", [c.text for c in found if not c.warning])
    counts = preview.counts()
    summary = ", ".join(f"{counts[op]} {label}" for op, label in _OPS.items() if counts.get(op))
    return [*lines, f"<sub>pulumi preview: {summary or 'no changes'}.</sub>", ""]


def bullets(title: str, texts: list[str]) -> list[str]:
    """A bold title and one sentence per line; nothing at all when there is nothing to say."""
    return [title, *(f"- {sentence(t)}" for t in texts), ""] if texts else []


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
