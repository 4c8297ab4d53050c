"""Reads with logic: catalog search and facets, shared by pages and the API.

Names and aliases are matched by trigram similarity in an in-memory index, the
same on every database (typos and spacing: `sendgird` finds SendGrid, `zen desk`
Zendesk). Words are matched in names and summaries by PostgreSQL's ranked full
text search (a GIN index), or by substring on SQLite. Measured at 10,000
vendors, pg_trgm's indexed `%>` operator took 40 ms for long queries where the
in-memory index takes 2 ms. Filters and facet counts work on a per-process
snapshot of every published vendor's facet values, rebuilt only when the catalog
changes, so a search costs a constant, small number of queries.

Everything derived from the whole catalog (that snapshot, the `CatalogKnowledge`
that matches DNS names to vendors) is kept by `per_catalog_version`, keyed on
`catalog_version()`. Selectors read; they never import services.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Max, Q, QuerySet

from sources.capability import CAPABILITY_LABELS, NOT_DOCUMENTED, route_state
from sources.catalogfile import CATALOG_DIR, METHOD_KINDS
from sources.catalogknowledge import (
    CatalogKnowledge,
    LookupQuery,
    RecordMatch,
    knowledge_from_files,
)
from sources.models import Category, RecordRequirement, Vendor, VendorDnsCheck, Watch, WatchState
from sources.search import NameIndex, clean_query
from sources.vendordetection import credited

MATCH_THRESHOLD = 0.3
MAX_MATCHES = 1000
FACETS = ("category", "method", "capability")
ORDERINGS = ("relevance", "name", "-name", "updated_at", "-updated_at")


@dataclass(frozen=True)
class FacetRow:
    id: int
    capability: str
    methods: frozenset[str]
    categories: frozenset[str]
    spf: str = NOT_DOCUMENTED  # the SPF route's state: yes, no or unknown (not documented)
    dkim: str = NOT_DOCUMENTED
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class VendorFilters:
    category: str = ""
    method: str = ""
    capability: str = ""
    # Not facets: narrowed by the API only.
    has_spf_route: str = ""  # a route state: yes, no or unknown ("": any)
    has_dkim_route: str = ""
    updated_since: dt.datetime | None = None

    def accepts(self, row: FacetRow, skip: str = "") -> bool:
        """Whether a vendor passes every filter except the one named by `skip`."""
        return (
            (skip == "category" or not self.category or self.category in row.categories)
            and (skip == "method" or not self.method or self.method in row.methods)
            and (skip == "capability" or not self.capability or self.capability == row.capability)
            and (not self.has_spf_route or self.has_spf_route == row.spf)
            and (not self.has_dkim_route or self.has_dkim_route == row.dkim)
            and (
                self.updated_since is None
                or (row.updated_at is not None and row.updated_at >= self.updated_since)
            )
        )


@dataclass
class SearchResult:
    ids: list[int]  # matching vendors that pass the filters, best first
    facets: dict[str, list[dict]]
    query: str  # the query as searched (cleaned)


@dataclass
class CatalogSnapshot:
    rows: list[FacetRow]  # every published vendor, by name
    by_id: dict[int, FacetRow]
    names: NameIndex
    position: dict[int, int]  # vendor id -> place in name order
    # Unsearched listings repeat: their ids and facets are kept per filter choice.
    listings: dict[VendorFilters, SearchResult] = field(default_factory=dict)


def catalog_version() -> tuple:
    """Changes whenever a published vendor is added, removed or edited (one cheap query)."""
    published = Vendor.objects.published()
    return tuple(published.aggregate(n=Count("id"), last=Max("updated_at")).values())


def per_catalog_version[T](build: Callable[[], T]) -> Callable[[], T]:
    """Keep what `build()` returns until the published catalog changes.

    The one cache policy for what is derived from the whole catalog: each call costs
    the `catalog_version()` query, and a rebuild happens in the process that sees the
    change (an edit bumps the vendor's `updated_at`, see `vendor_refresh_derived`).
    """
    kept: tuple[tuple, T] | None = None

    @functools.wraps(build)
    def cached() -> T:
        nonlocal kept
        version = catalog_version()
        if kept is None or kept[0] != version:
            kept = (version, build())
        return kept[1]

    return cached


@per_catalog_version
def catalog_snapshot() -> CatalogSnapshot:
    """Facet values of every published vendor, rebuilt when the catalog changes."""
    published = Vendor.objects.published()
    categories: dict[int, set[str]] = {}
    links = Vendor.categories.through.objects.filter(vendor__published=True)
    for vid, slug in links.values_list("vendor_id", "category__slug"):
        categories.setdefault(vid, set()).add(slug)
    fields = ["id", "dmarc_capability", "method_kinds", "spf_routes", "dkim_routes"]
    fields += ["not_aligned", "no_compliant_option", "updated_at"]
    rows = [
        FacetRow(
            vid,
            cap,
            frozenset(kinds.split()),
            frozenset(categories.get(vid, ())),
            spf=route_state("spf", spf, not_aligned, no_compliant_option=impossible),
            dkim=route_state("dkim", dkim, not_aligned, no_compliant_option=impossible),
            updated_at=updated_at,
        )
        for vid, cap, kinds, spf, dkim, not_aligned, impossible, updated_at in (
            published.order_by("name", "id").values_list(*fields)
        )
    ]
    names = NameIndex(published.values_list("id", "search_names"))
    by_id = {row.id: row for row in rows}
    position = {row.id: i for i, row in enumerate(rows)}
    return CatalogSnapshot(rows, by_id, names, position)


def catalog_search(*, query: str = "", filters: VendorFilters | None = None) -> SearchResult:
    """Search the published catalog: ranked ids plus facet counts for the result page."""
    filters = filters or VendorFilters()
    snapshot = catalog_snapshot()
    cleaned = clean_query(query)
    if not cleaned:
        if filters in snapshot.listings:
            return snapshot.listings[filters]
        ids = [row.id for row in snapshot.rows if filters.accepts(row)]
        result = SearchResult(ids=ids, facets=_count_facets(snapshot.rows, filters), query="")
        # Any timestamp can be asked for: only the few facet combinations are kept.
        if filters.updated_since is None:
            snapshot.listings[filters] = result
        return result
    ranked = _ranked_ids(snapshot, cleaned)
    rows = [snapshot.by_id[vid] for vid in ranked if vid in snapshot.by_id]
    ids = [row.id for row in rows if filters.accepts(row)]
    return SearchResult(ids=ids, facets=_count_facets(rows, filters), query=cleaned)


def _ranked_ids(snapshot: CatalogSnapshot, query: str) -> list[int]:
    """Names and aliases by trigram similarity, then words in names and summaries."""
    scores = snapshot.names.search(query, MATCH_THRESHOLD)
    published = Vendor.objects.published()
    if connection.vendor == "postgresql":
        text_query = SearchQuery(query, search_type="websearch", config="english")
        text_hits = (
            published.filter(search_vector=text_query)
            .annotate(rank=SearchRank(F("search_vector"), text_query))
            .order_by("-rank")
            .values_list("id", "rank")[:MAX_MATCHES]
        )
    else:
        words = Q()
        for word in query.split()[:8]:
            words &= Q(summary__icontains=word)
        text_hits = ((vid, 0.0) for vid in published.filter(words).values_list("id", flat=True))
    for vid, rank in text_hits:
        # A word match ranks below any name match; full-text rank orders word matches.
        scores[vid] = max(scores.get(vid, 0.0), 0.2 + min(rank, 1.0) * 0.09)
    # Among equal scores, the snapshot's name order decides.
    position = {row.id: i for i, row in enumerate(snapshot.rows) if row.id in scores}
    ranked = sorted(position, key=lambda vid: (-scores[vid], position[vid]))
    return ranked[:MAX_MATCHES]


def _count_facets(rows: list[FacetRow], filters: VendorFilters) -> dict[str, list[dict]]:
    """Counts per facet value; each facet counts with the other facets applied."""
    counts = {key: Counter() for key in FACETS}
    for row in rows:
        if filters.accepts(row, skip="category"):
            counts["category"].update(row.categories)
        if filters.accepts(row, skip="method"):
            counts["method"].update(row.methods)
        if filters.accepts(row, skip="capability"):
            counts["capability"][row.capability] += 1
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
        for key in FACETS
    }


def vendor_listing(
    *, query: str = "", filters: VendorFilters | None = None, ordering: str = ""
) -> list[int]:
    """Ids of published vendors matching the query and filters, in the order asked for
    (one of ORDERINGS; by default best match first when searching, else by name)."""
    result = catalog_search(query=query, filters=filters)
    ids = result.ids  # best match first when searched, else in name order
    if ordering in ("", "relevance") or (ordering == "name" and not result.query):
        return ids
    snapshot = catalog_snapshot()
    position = snapshot.position

    # .get(): the snapshot may have been rebuilt since the ids were found.
    def place(vid: int) -> int:
        return position.get(vid, len(position))

    def updated(vid: int) -> float:
        row = snapshot.by_id.get(vid)
        return row.updated_at.timestamp() if row and row.updated_at else 0.0

    keys = {
        "name": place,
        "-name": lambda vid: -place(vid),
        "updated_at": lambda vid: (updated(vid), place(vid)),
        "-updated_at": lambda vid: (-updated(vid), place(vid)),
    }
    return sorted(ids, key=keys[ordering])


def vendors_by_ids(ids: list[int], queryset: QuerySet | None = None) -> list[Vendor]:
    """Fetch vendors for one page, in the order given (from `queryset` if given)."""
    queryset = Vendor.objects.for_listing() if queryset is None else queryset
    vendors = {v.id: v for v in queryset.filter(id__in=ids)}
    return [vendors[i] for i in ids if i in vendors]


def categories_with_counts() -> QuerySet:
    return Category.objects.annotate(
        n=Count("vendors", filter=Q(vendors__published=True), distinct=True)
    ).order_by("position", "name")


@per_catalog_version
def catalog_knowledge() -> CatalogKnowledge:
    """What the published catalog's records tell about DNS names (`CatalogKnowledge`):
    the vendors a domain report authorises, the vendors a name belongs to."""
    records = (
        RecordRequirement.objects.filter(method__vendor__published=True)
        .order_by(
            "method__vendor__name",
            "method__vendor_id",
            "method__order",
            "method_id",
            "position",
            "id",
        )
        .values_list(
            "method__vendor__slug",
            "method__vendor__name",
            "method_id",
            "method__kind",
            "record_id",
            "rtype",
            "host",
            "value",
            "check_type",
            "pattern",
            "purpose",
            "selector",
            "known_selectors",
        )
    )
    extra = {
        slug: (related, aliases)
        for slug, related, aliases in Vendor.objects.published().values_list(
            "slug", "related", "aliases"
        )
    }
    vendors: dict[str, dict] = {}
    methods: dict[int, dict] = {}
    for slug, name, method_id, kind, *record in records:
        related, aliases = extra.get(slug) or ([], [])
        vendor = vendors.setdefault(
            slug,
            {"slug": slug, "name": name, "related": related, "aliases": aliases, "methods": []},
        )
        if method_id not in methods:
            methods[method_id] = {"kind": kind, "records": []}
            vendor["methods"].append(methods[method_id])
        keys = (
            "id",
            "type",
            "host",
            "value",
            "check",
            "pattern",
            "purpose",
            "selector",
            "known_selectors",
        )
        methods[method_id]["records"].append(dict(zip(keys, record, strict=True)))
    return CatalogKnowledge.build(vendors.values())


def catalog_knowledge_from_files(directory: Path = CATALOG_DIR) -> CatalogKnowledge:
    """The same, read from sources/catalog/ (for the command line without a database)."""
    return knowledge_from_files(directory)


@dataclass
class VendorMatch:
    slug: str
    name: str
    records: list[RecordMatch]
    credited: bool = True  # the name is credited to it (it runs the system), see vendordetection
    also_used_by: list[dict] = field(default_factory=list)  # related entries that use it


def vendor_lookup(*, query: LookupQuery) -> list[VendorMatch]:
    """Published vendors whose records name `query` (an include domain, CNAME target, host)."""
    knowledge = catalog_knowledge()
    return vendor_matches(knowledge, knowledge.lookup(query), query.name)


def vendor_matches(
    knowledge: CatalogKnowledge, matches: list[RecordMatch], name: str = ""
) -> list[VendorMatch]:
    """Matches (of `name`) grouped by vendor, each marked credited or not, with who else
    uses it."""
    vendors: dict[str, VendorMatch] = {}
    for match in matches:
        entry = vendors.setdefault(
            match.vendor_slug, VendorMatch(match.vendor_slug, match.vendor_name, [])
        )
        entry.records.append(match)
    winners = set(credited(knowledge, matches, name))
    for entry in vendors.values():
        entry.credited = entry.slug in winners
        users = knowledge.related.get(entry.slug, set()) - winners if entry.credited else ()
        entry.also_used_by = sorted(
            ({"slug": slug, "name": knowledge.names[slug]} for slug in users),
            key=lambda user: user["name"].casefold(),
        )
    # The vendor that runs the system first, then the others by name.
    return sorted(vendors.values(), key=lambda v: (not v.credited, v.name.casefold(), v.slug))


def catalog_data() -> dict:
    """Every published vendor in catalog-file form, with the categories (the export)."""
    categories = [
        {"slug": c.slug, "name": c.name, "description": c.description}
        for c in Category.objects.all()
    ]
    vendors = Vendor.objects.published().with_details().order_by("slug")
    return {"categories": categories, "vendors": [vendor_to_data(v) for v in vendors]}


def vendor_to_data(vendor: Vendor) -> dict:
    """The vendor in catalog-file form (canonical key order)."""
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "aliases": list(vendor.aliases),
        "website": vendor.website,
        "categories": [c.slug for c in vendor.categories.all()],
        "summary": vendor.summary,
        "description": vendor.description,
        "last_verified": vendor.last_verified,
        "published": vendor.published,
        "undocumented": list(vendor.undocumented),
        "no_compliant_option": vendor.no_compliant_option,
        "no_compliant_explanation": vendor.no_compliant_explanation,
        "documentation": [{"title": d.title, "url": d.url} for d in vendor.documentation.all()],
        "methods": [
            {
                "kind": m.kind,
                "title": m.title,
                "recommended": m.recommended,
                "order": m.order,
                "sources": list(m.sources),
                "evidence": m.evidence,
                "aligns": None if m.aligns is None else list(m.aligns),
                "steps": m.steps,
                "parameters": [
                    {
                        "name": p.name,
                        "label": p.label,
                        "help": p.help,
                        "pattern": p.pattern,
                        "example": p.example,
                        "required": p.required,
                    }
                    for p in m.parameters.all()
                ],
                "records": [
                    {
                        "id": r.record_id,
                        "type": r.rtype,
                        "host": r.host,
                        "value": r.value,
                        "check": r.check_type,
                        "pattern": r.pattern,
                        "purpose": r.purpose,
                        "selector": r.selector,
                        "priority": r.priority,
                        "required": r.required,
                        "note": r.note,
                        "known_selectors": list(r.known_selectors),
                        "sources": list(r.sources),
                        "evidence": r.evidence,
                    }
                    for r in m.records.all()
                ],
            }
            for m in vendor.methods.all()
        ],
        "not_aligned": [dict(item) for item in vendor.not_aligned],
        "related": list(vendor.related),
    }


# -- the drift monitor's results ---------------------------------------------------------

DNS_SEVERITY_LABELS = {"error": "Problem", "warning": "Caution", "notice": "Note"}


def vendor_dns_check(vendor: Vendor) -> dict | None:
    """The drift monitor's last check of a vendor, ready to show; None when never checked.

    No query when the vendor was fetched with `select_related("dns_check")`.
    """
    try:
        check = vendor.dns_check
    except VendorDnsCheck.DoesNotExist:
        return None
    if check.checked_at is None:  # claimed by a run that has not stored it yet
        return None
    first_run = check.previous_checked_at is None
    new = {(f["code"], f["name"]) for f in check.new_findings}
    findings = [
        {
            **f,
            "new": not first_run and (f["code"], f["name"]) in new,
            "unconfirmed": bool(f.get("unconfirmed")),
            "label": DNS_SEVERITY_LABELS.get(f["severity"], f["severity"]),
        }
        for f in check.findings
    ]
    return {
        "checked_at": check.checked_at,
        "previous_checked_at": check.previous_checked_at,
        "changed_at": check.changed_at,
        "names_checked": len(check.targets),
        "templates_skipped": check.skipped,
        "findings": findings,
        "cleared": [] if first_run else check.cleared_findings,
        "targets": check.targets,
    }


def vendor_dns_checked_at(slug: str) -> dt.datetime | None:
    """When a published vendor's DNS was last checked (one query), for HTTP caching."""
    return (
        VendorDnsCheck.objects.filter(
            vendor__slug=slug, vendor__published=True, checked_at__isnull=False
        )
        .values_list("checked_at", flat=True)
        .first()
    )


# -- watched domains ---------------------------------------------------------------------


def watches_for(*, owner, state: str = "", vendor: str = "", query: str = ""):
    """An owner's watches, filtered by state, vendor slug and a domain substring."""
    watches = Watch.objects.filter(owner=owner)
    if state in WatchState.values:
        watches = watches.filter(state=state)
    if vendor == "-":
        watches = watches.filter(vendor_slug="")
    elif vendor:
        watches = watches.filter(vendor_slug=vendor)
    if query.strip():
        watches = watches.filter(domain__icontains=query.strip().lower()[:253])
    return watches.order_by("domain", "vendor_slug")


def watch_state_counts(*, owner) -> dict[str, int]:
    """How many of an owner's watches are in each state."""
    counts = dict(
        Watch.objects.filter(owner=owner)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {state: counts.get(state, 0) for state in WatchState.values}
