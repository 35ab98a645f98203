"""The review's Markdown: one stack's comment, and the pieces a fleet's comment is built from."""

from __future__ import annotations

from scim_setup.cli.preview_changes import Change, Preview

_OPS = {
    "create": "to create",
    "update": "to update",
    "replace": "to replace",
    "delete": "to delete",
}


def markdown(preview: Preview, found: list[Change]) -> str:
    """The PR comment: warnings first, then every other change, then the engine's counts."""
    lines = [f"### SCIM setup review: stack `{preview.stack}`", ""]
    if preview.errors:
        detail = "; ".join(e for e in preview.errors if e != "preview failed")
        lines += [
            "> ⚠️ `pulumi preview` failed (a mandatory policy or an error; its log says which)"
            + (f": {detail}" if detail else ""),
            "",
        ]
    if not found:
        lines += ["No changes: the setup already matches this configuration.", ""]
        return "\n".join(lines)
    lines += bullets(WARNINGS_TITLE, [c.text for c in found if c.warning])
    lines += change_lines(preview, found)
    return "\n".join(lines)


WARNINGS_TITLE = "**⚠️ Needs attention**"


def change_lines(preview: Preview, found: list[Change]) -> list[str]:
    """The changes that are not warnings, then the engine's counts: one stack's body."""
    lines = bullets("**Changes**", [c.text for c in found if not c.warning])
    counts = preview.counts()
    summary = ", ".join(f"{counts[op]} {label}" for op, label in _OPS.items() if counts.get(op))
    return [*lines, f"<sub>pulumi preview: {summary}.</sub>", ""]


def bullets(title: str, texts: list[str]) -> list[str]:
    """A bold title and one sentence per line; nothing at all when there is nothing to say."""
    return [title, *(f"- {sentence(t)}" for t in texts), ""] if texts else []


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
