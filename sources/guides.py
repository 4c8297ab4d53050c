"""Knowledge-base guides: Markdown files in sources/guides/ with TOML front matter."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sources.search import clean_query

GUIDES_DIR = Path(__file__).resolve().parent / "guides"


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    summary: str
    order: int
    body: str
    search_text: str

    def get_absolute_url(self) -> str:
        return f"/guides/{self.slug}/"


def _parse(path: Path) -> Guide:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("+++", 2)
    meta = tomllib.loads(front)
    title, summary = meta["title"], meta["summary"]
    order = meta.get("order", 99)
    return Guide(path.stem, title, summary, order, body, clean_query(body, limit=None))


@cache
def all_guides() -> tuple[Guide, ...]:
    guides = [_parse(p) for p in GUIDES_DIR.glob("*.md")]
    return tuple(sorted(guides, key=lambda g: (g.order, g.title)))


def get_guide(slug: str) -> Guide | None:
    return next((g for g in all_guides() if g.slug == slug), None)


def search_guides(query: str) -> list[Guide]:
    """Guides whose title, summary or text contain every word of the query."""
    words = clean_query(query).split()
    if not words:
        return []
    found = []
    for guide in all_guides():
        title = clean_query(f"{guide.title} {guide.summary}")
        if all(w in title or w in guide.search_text for w in words):
            found.append((0 if all(w in title for w in words) else 1, guide))
    return [g for _, g in sorted(found, key=lambda item: item[0])]
