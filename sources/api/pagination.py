"""Page-number pagination over a list of ids (the search selector's result)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rest_framework import serializers
from rest_framework.utils.urls import remove_query_param, replace_query_param


@dataclass
class Page:
    ids: list[int]
    count: int
    next: str | None
    previous: str | None

    def links_header(self) -> str:
        links = [(self.next, "next"), (self.previous, "prev")]
        return ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links if url)


def paginate(ids: list[int], request, *, page: int, page_size: int) -> Page:
    """One page of ids with links to its neighbours; a page past the end is a 400."""
    pages = max(1, math.ceil(len(ids) / page_size))
    if page > pages:
        raise serializers.ValidationError(
            {"page": [f"Page {page} is past the last page ({pages})."]}
        )
    url = request.build_absolute_uri()
    start = (page - 1) * page_size

    def link(number: int) -> str:
        if number == 1:
            return remove_query_param(url, "page")
        return replace_query_param(url, "page", number)

    return Page(
        ids=ids[start : start + page_size],
        count=len(ids),
        next=link(page + 1) if page < pages else None,
        previous=link(page - 1) if page > 1 else None,
    )
