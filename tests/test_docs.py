"""The documentation a reader follows: every relative link in README.md and docs/*.md leads to a
file (and heading) in this repository, none leaves it, and the README stays a short guide whose
test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

# Pages other branches add in parallel; README lists them already. The lead empties this set
# when the branches are merged, and from then on their links are checked like every other.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _links(page: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, a repeated
    heading numbered."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def _cases() -> list[tuple[str, str]]:
    return [(str(p.relative_to(REPO)), target) for p in PAGES for target in _links(p)]


def test_the_pages_have_links_to_check():
    assert len(_cases()) > 50


@pytest.mark.parametrize(("page", "target"), _cases())
def test_every_link_resolves_inside_the_repository(page, target):
    assert not re.match(r"[a-z][a-z0-9+.-]*:", target), f"{page}: {target} leaves the repository"
    source = REPO / page
    path, _, anchor = target.partition("#")
    dest = (source.parent / path).resolve() if path else source
    rel = dest.relative_to(REPO) if dest.is_relative_to(REPO) else None
    assert rel is not None, f"{page}: {target} points outside the repository"
    assert dest.exists(), f"{page}: {target}: no such file"
    if anchor:
        assert anchor in _anchors(dest), f"{page}: {target}: no heading with that anchor"


def test_no_page_links_outside_the_repository():
    for page in PAGES:
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        assert "](http" not in text and "<http" not in text, page


def test_the_readme_is_a_short_guide_with_the_five_minute_guide():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert "## Five minutes to your first coached call" in text


def test_ci_runs_the_test_command_the_readme_gives():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "./scripts/test.sh " in readme
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert "bash scripts/test.sh" in ci
