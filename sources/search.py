"""Fuzzy matching of a query against vendor names and aliases.

Used on every database so that typos and spacing behave the same on SQLite
and PostgreSQL: `sendgird` finds SendGrid, `zen desk` finds Zendesk.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY = 200
_WORD_RE = re.compile(r"[^\w]+", re.UNICODE)


def clean_query(text: str, limit: int | None = MAX_QUERY) -> str:
    """Lowercase, fold accents and punctuation to spaces, cap the length."""
    if limit is not None:
        text = text[: limit * 4]
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_WORD_RE.sub(" ", text).split())[:limit]


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class NameIndex:
    """An in-memory trigram index over vendor names and aliases.

    Scoring every name on every query is too slow at 10,000 vendors; the index
    turns a query into a few posting-list lookups plus one pass of substring tests.
    """

    def __init__(self, rows) -> None:
        self.owner: list[int] = []  # entry -> vendor id
        self.squashed: list[str] = []
        self.plain: list[str] = []
        self.sizes: list[int] = []
        self.postings: dict[str, list[int]] = {}
        for vendor_id, names in rows:
            for name in dict.fromkeys(clean_query(n) for n in names.split(" | ")):
                if not name:
                    continue
                entry = len(self.owner)
                squashed = name.replace(" ", "")
                grams = trigrams(squashed)
                self.owner.append(vendor_id)
                self.plain.append(name)
                self.squashed.append(squashed)
                self.sizes.append(len(grams))
                for gram in grams:
                    self.postings.setdefault(gram, []).append(entry)

    def search(self, query: str, threshold: float) -> dict[int, float]:
        """{vendor id: score} for vendors whose names match the cleaned query."""
        if not query:
            return {}
        compact = query.replace(" ", "")
        scores: dict[int, float] = {}

        def keep(entry: int, score: float) -> None:
            vid = self.owner[entry]
            if score > scores.get(vid, 0.0):
                scores[vid] = score

        for entry, squashed in enumerate(self.squashed):
            if compact in squashed:
                if squashed == compact:
                    keep(entry, 1.0)
                elif squashed.startswith(compact) or self.plain[entry].startswith(query):
                    keep(entry, 0.9)
                else:
                    keep(entry, 0.7)
        qgrams = trigrams(compact)
        hits: dict[int, int] = {}
        for gram in qgrams:
            for entry in self.postings.get(gram, ()):
                hits[entry] = hits.get(entry, 0) + 1
        for entry, shared in hits.items():
            score = shared / (len(qgrams) + self.sizes[entry] - shared)
            if score >= threshold:
                keep(entry, min(score, 0.69))
        return scores
