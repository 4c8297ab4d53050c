"""Reads with logic: catalog search and facets, shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet

from sources.capability import CAPABILITY_LABELS
from sources.catalogfile import METHOD_KINDS
from sources.models import Category, Vendor
from sources.search import NameIndex, clean_query

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


_name_index: tuple[tuple, NameIndex] | None = None


def _names_index() -> NameIndex:
    """The published vendors' name index, rebuilt when the catalog changes."""
    global _name_index
    published = Vendor.objects.published()
    version = tuple(published.aggregate(n=Count("id"), last=Max("updated_at")).values())
    if _name_index is None or _name_index[0] != version:
        _name_index = (version, NameIndex(published.values_list("id", "search_names")))
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
            rows = qs.values_list("methods__kind").annotate(n=Count("id", distinct=True)).order_by()
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
