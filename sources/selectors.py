"""Reads with logic: catalog search and facets, shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from sources.capability import CAPABILITY_LABELS
from sources.catalogfile import METHOD_KINDS
from sources.models import Category, Vendor
from sources.search import clean_query, name_score

MATCH_THRESHOLD = 0.3
MAX_MATCHES = 1000


@dataclass(frozen=True)
class VendorFilters:
    category: str = ""
    method: str = ""
    capability: str = ""

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.category:
            qs = qs.filter(categories__slug=self.category)
        if self.method:
            qs = qs.filter(methods__kind=self.method)
        if self.capability:
            qs = qs.filter(dmarc_capability=self.capability)
        return qs.distinct() if (self.category or self.method) else qs


def vendor_search(*, query: str = "", filters: VendorFilters | None = None) -> list[int] | None:
    """Ids of matching published vendors, best first; None when there is no query.

    The caller pages through the ids (at most MAX_MATCHES) and fetches one page.
    """
    filters = filters or VendorFilters()
    query = clean_query(query)
    qs = filters.apply(Vendor.objects.published())
    if not query:
        return None
    if connection.vendor == "postgresql":
        return _search_postgres(qs, query)
    return _search_fallback(qs, query)


def _search_postgres(qs: QuerySet, query: str) -> list[int]:
    compact = query.replace(" ", "")
    text_query = SearchQuery(query, search_type="websearch", config="english")
    rows = (
        qs.annotate(
            rank=SearchRank(F("search_vector"), text_query),
            sim=TrigramWordSimilarity(compact, "search_names"),
        )
        .filter(
            Q(search_vector=text_query)
            | Q(search_names__contains=compact)
            | Q(sim__gte=MATCH_THRESHOLD)
        )
        .order_by((F("sim") * 2 + F("rank")).desc(), "name")
        .values_list("id", flat=True)[:MAX_MATCHES]
    )
    return list(rows)


def _search_fallback(qs: QuerySet, query: str) -> list[int]:
    """SQLite: names and aliases scored in Python, summaries by substring."""
    scored: dict[int, tuple[float, str]] = {}
    for vid, name, names in qs.values_list("id", "name", "search_names"):
        score = name_score(query, names)
        if score >= MATCH_THRESHOLD:
            scored[vid] = (score, name)
    words = query.split()
    text_match = Q()
    for word in words[:8]:
        text_match &= Q(summary__icontains=word) | Q(description__icontains=word)
    for vid, name in qs.filter(text_match).values_list("id", "name")[:MAX_MATCHES]:
        if vid not in scored:
            scored[vid] = (0.25, name)
    ranked = sorted(scored.items(), key=lambda item: (-item[1][0], item[1][1].casefold()))
    return [vid for vid, _ in ranked[:MAX_MATCHES]]


def vendors_by_ids(ids: list[int]) -> list[Vendor]:
    """Fetch vendors for one page, in the order given."""
    vendors = {v.id: v for v in Vendor.objects.for_listing().filter(id__in=ids)}
    return [vendors[i] for i in ids if i in vendors]


def vendor_facets(*, ids: list[int] | None, filters: VendorFilters) -> dict[str, list[dict]]:
    """Counts per category, method kind and capability among the current results."""
    base = Vendor.objects.published()
    if ids is not None:
        base = base.filter(id__in=ids)
    facets = {}
    for key in ("category", "method", "capability"):
        # Each facet counts with the other facets applied, so a choice never empties the list.
        other = VendorFilters(**{**filters.__dict__, key: ""})
        qs = other.apply(base)
        if key == "category":
            rows = (
                Category.objects.filter(vendors__in=qs)
                .annotate(n=Count("vendors", distinct=True))
                .values_list("slug", "name", "n")
                .order_by("position")
            )
            facets[key] = [{"value": s, "label": n, "count": c} for s, n, c in rows]
        elif key == "method":
            rows = (
                qs.values_list("methods__kind")
                .annotate(n=Count("id", distinct=True))
                .order_by()
            )
            counts = dict(rows)
            facets[key] = [
                {"value": k, "label": label, "count": counts[k]}
                for k, label in METHOD_KINDS.items()
                if counts.get(k)
            ]
        else:
            counts = dict(
                qs.values_list("dmarc_capability").annotate(n=Count("id", distinct=True)).order_by()
            )
            facets[key] = [
                {"value": k, "label": label, "count": counts[k]}
                for k, label in CAPABILITY_LABELS.items()
                if counts.get(k)
            ]
        for item in facets[key]:
            item["selected"] = getattr(filters, key) == item["value"]
    return facets


def categories_with_counts() -> QuerySet:
    return Category.objects.annotate(
        n=Count("vendors", filter=Q(vendors__published=True), distinct=True)
    )
