"""Reads with logic: catalog search and facets, shared by pages and the API."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet

from sources.capability import CAPABILITY_LABELS
from sources.catalogfile import METHOD_KINDS
from sources.models import Category, Vendor
from sources.search import NameIndex, clean_query

MATCH_THRESHOLD = 0.3
MAX_MATCHES = 1000
FACET_CACHE_SECONDS = 3600
# Below this many letters a typo is indistinguishable from another word.
MIN_FUZZY_LENGTH = 5


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
    matches = Q(search_vector=text_query) | Q(search_names__contains=compact)
    if len(compact) >= MIN_FUZZY_LENGTH:
        # Typo tolerance through the indexed `%>` operator (threshold set in apps.py).
        matches |= Q(search_names__trigram_word_similar=compact)
    rows = (
        qs.filter(matches)
        .annotate(
            rank=SearchRank(F("search_vector"), text_query),
            sim=TrigramWordSimilarity(compact, "search_names"),
        )
        .order_by((F("sim") * 2 + F("rank")).desc(), "name")
        .values_list("id", flat=True)[:MAX_MATCHES]
    )
    return list(rows)


_name_index: tuple[tuple, NameIndex] | None = None


def _names_index() -> NameIndex:
    """The published vendors' name index, rebuilt when the catalog changes."""
    global _name_index
    version = catalog_version()
    if _name_index is None or _name_index[0] != version:
        rows = Vendor.objects.published().values_list("id", "search_names")
        _name_index = (version, NameIndex(rows))
    return _name_index[1]


def _search_fallback(qs: QuerySet, query: str) -> list[int]:
    """SQLite: names and aliases through the in-memory index, summaries by substring."""
    scores = _names_index().search(query, MATCH_THRESHOLD)
    text_match = Q()
    for word in query.split()[:8]:
        text_match &= Q(summary__icontains=word)
    text_ids = qs.filter(text_match).values_list("id", flat=True)[:MAX_MATCHES]
    for vid in text_ids:
        scores.setdefault(vid, 0.25)
    ranked = sorted(scores, key=lambda vid: -scores[vid])[: MAX_MATCHES * 2]
    # Facet filters and the final order by name among equal scores, in one query.
    names = dict(qs.filter(id__in=ranked).values_list("id", "name"))
    ranked = sorted(names, key=lambda vid: (-scores[vid], names[vid].casefold()))
    return ranked[:MAX_MATCHES]


def vendors_by_ids(ids: list[int]) -> list[Vendor]:
    """Fetch vendors for one page, in the order given."""
    vendors = {v.id: v for v in Vendor.objects.for_listing().filter(id__in=ids)}
    return [vendors[i] for i in ids if i in vendors]


def catalog_version() -> tuple:
    """Changes whenever a published vendor is added, removed or edited (one cheap query)."""
    published = Vendor.objects.published()
    return tuple(published.aggregate(n=Count("id"), last=Max("updated_at")).values())


def vendor_facets(*, ids: list[int] | None, filters: VendorFilters) -> dict[str, list[dict]]:
    """Counts per category, method kind and capability among the current results.

    Each facet counts with the other facets applied, so a choice never empties the
    list. A constant number of queries whatever the catalog size; the facets of
    the unsearched catalog are cached until the catalog changes.
    """
    if ids is None:
        key = f"facets:{catalog_version()}:{filters}"
        facets = cache.get(key)
        if facets is None:
            facets = _count_facets(None, filters)
            cache.set(key, facets, FACET_CACHE_SECONDS)
        return facets
    return _count_facets(ids, filters)


def _count_facets(ids: list[int] | None, filters: VendorFilters) -> dict[str, list[dict]]:
    vendors = Vendor.objects.published()
    links = Vendor.categories.through.objects.all()
    if ids is not None:
        vendors = vendors.filter(id__in=ids)
        links = links.filter(vendor_id__in=ids)
    rows = list(vendors.values_list("id", "dmarc_capability", "method_kinds"))
    categories = dict(Category.objects.values_list("id", "slug"))
    in_category: dict[int, set[str]] = {}
    for vid, cid in links.values_list("vendor_id", "category_id"):
        in_category.setdefault(vid, set()).add(categories[cid])

    def passes(vid: int, capability: str, kinds: str, skip: str) -> bool:
        return (
            (
                skip == "category"
                or not filters.category
                or filters.category in in_category.get(vid, ())
            )
            and (skip == "method" or not filters.method or filters.method in kinds.split())
            and (skip == "capability" or not filters.capability or filters.capability == capability)
        )

    counts: dict[str, Counter] = {
        "category": Counter(),
        "method": Counter(),
        "capability": Counter(),
    }
    for vid, capability, kinds in rows:
        if passes(vid, capability, kinds, "category"):
            counts["category"].update(in_category.get(vid, ()))
        if passes(vid, capability, kinds, "method"):
            counts["method"].update(set(kinds.split()))
        if passes(vid, capability, kinds, "capability"):
            counts["capability"][capability] += 1
    labels = {
        "category": dict(Category.objects.values_list("slug", "name")),
        "method": METHOD_KINDS,
        "capability": CAPABILITY_LABELS,
    }
    return {
        key: [
            {
                "value": value,
                "label": label,
                "count": counts[key][value],
                "selected": getattr(filters, key) == value,
            }
            for value, label in labels[key].items()
            if counts[key][value]
        ]
        for key in counts
    }


def categories_with_counts() -> QuerySet:
    return Category.objects.annotate(
        n=Count("vendors", filter=Q(vendors__published=True), distinct=True)
    )
