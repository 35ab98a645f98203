"""Every relative link in README.md and docs/ works on GitHub: it leads to a file or folder of this
repository, and its anchor, if any, names a heading of the Markdown file it points into.

GitHub resolves a relative link from the folder of the document holding it, and gives each heading
the anchor github-slugger makes (https://github.com/Flet/github-slugger, used by GitHub's renderer):
the heading's text in lower case, keeping only letters, digits, marks, `_`, `-` and spaces, each
space a hyphen; a repeated anchor gets `-1`, `-2`, ... in the order the headings come.
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
MARKDOWN = MarkdownIt("commonmark").enable("table")  # GitHub's tables hold links too


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading with this text."""
    kept = (
        c
        for c in heading.lower()
        if c in " -" or unicodedata.category(c)[0] in "LNM" or unicodedata.category(c) == "Pc"
    )
    return "".join(kept).replace(" ", "-")


def heading_text(inline: Token) -> str:
    """What a heading reads as, without its Markdown: code spans, emphasis and link texts."""
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))


def anchors(document: Path) -> set[str]:
    """The anchors of the document's headings, repeated ones numbered as GitHub numbers them."""
    tokens = MARKDOWN.parse(document.read_text())
    occurrences: dict[str, int] = {}
    for opening, inline in pairwise(tokens):
        if opening.type != "heading_open":
            continue
        anchor = original = github_slug(heading_text(inline))
        while anchor in occurrences:
            occurrences[original] += 1
            anchor = f"{original}-{occurrences[original]}"
        occurrences[anchor] = 0
    return set(occurrences)


def links(document: Path) -> list[tuple[int, str]]:
    """(line, target) of every link and image outside code, as the Markdown gives it."""
    found = []
    for block in MARKDOWN.parse(document.read_text()):
        line = block.map[0] + 1 if block.map else 0
        for child in block.children or []:
            target = child.attrGet("href") if child.type == "link_open" else child.attrGet("src")
            if child.type in ("link_open", "image") and isinstance(target, str):
                found.append((line, target))
    return found


def linked_file(document: Path, path: str, root: Path) -> Path:
    """Where GitHub takes a link's path: the document itself (an anchor alone), a path from the
    repository's root (a leading `/`), or one from the document's folder."""
    if not path:
        return document
    if path.startswith("/"):
        return (root / path.lstrip("/")).resolve()
    return (document.parent / path).resolve()


def broken_links(document: Path, root: Path) -> list[str]:
    """`document:line: target: why` for each relative link that leads nowhere on GitHub."""
    broken = []
    for line, target in links(document):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue
        where = f"{document.relative_to(root)}:{line}: {target}"
        file = linked_file(document, unquote(parts.path), root)
        if not file.is_relative_to(root.resolve()) or not file.exists():
            broken.append(f"{where}: no such file or folder in the repository")
        elif parts.fragment and file.suffix != ".md":
            broken.append(f"{where}: an anchor into a file that is not Markdown")
        elif parts.fragment and unquote(parts.fragment) not in anchors(file):
            broken.append(f"{where}: no heading of {file.relative_to(root)} has this anchor")
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(d.relative_to(ROOT)) for d in DOCUMENTS])
def test_relative_links_and_anchors_resolve(document: Path):
    assert broken_links(document, ROOT) == []


def test_the_documents_link_to_each_other():
    """The check above has links to check: the README's into docs/ and anchors among them."""
    readme_links = [target for _, target in links(ROOT / "README.md")]

    assert "docs/development.md" in readme_links
    assert any(target.startswith("#") for target in readme_links)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Try it: two commands", "try-it-two-commands"),
        ("The `scim-setup` command", "the-scim-setup-command"),
        ("PUT (replace)", "put-replace"),
        ("`GET /api/v1/scim`", "get-apiv1scim"),
        (
            "Identity providers: what each sends, what the Dashboard does",
            "identity-providers-what-each-sends-what-the-dashboard-does",
        ),
        ("snake_case & v2.1 — Über", "snake_case--v21--über"),
    ],
)
def test_headings_get_githubs_anchors(heading: str, anchor: str):
    assert github_slug(heading) == anchor


def test_broken_links_and_anchors_are_reported(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Limits\n\n## Limits\n")
    document = tmp_path / "docs" / "index.md"
    document.write_text(
        "# Index\n\n"
        "[ok](guide.md#limits-1) [ok](#index) [ok](/docs/guide.md) [web](https://example.com/x)\n\n"
        "[wrong folder](docs/guide.md)\n\n"
        "[no anchor](guide.md#limits-2)\n\n"
        "`[in code](missing.md)`\n\n"
        "```md\n[in a block](missing.md)\n```\n\n"
        "| a | b |\n|---|---|\n| [in a table](missing.md) | x |\n"
    )

    assert broken_links(document, tmp_path) == [
        "docs/index.md:5: docs/guide.md: no such file or folder in the repository",
        "docs/index.md:7: guide.md#limits-2: no heading of docs/guide.md has this anchor",
        "docs/index.md:17: missing.md: no such file or folder in the repository",
    ]
