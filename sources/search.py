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


def name_score(query: str, names: str) -> float:
    """How well a cleaned query matches one vendor's `search_names` (0 = not at all)."""
    if not query:
        return 0.0
    compact = query.replace(" ", "")
    best = 0.0
    qgrams = trigrams(compact)
    for name in names.split(" | "):
        plain = clean_query(name)
        squashed = plain.replace(" ", "")
        if query == plain or compact == squashed:
            return 1.0
        if squashed.startswith(compact) or plain.startswith(query):
            best = max(best, 0.9)
        elif compact in squashed:
            best = max(best, 0.7)
        else:
            best = max(best, similarity(qgrams, trigrams(squashed)))
    return best
