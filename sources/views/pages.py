"""Server-rendered catalog pages: home, search, categories, vendors, guides."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from sources.capability import CAPABILITY_LABELS
from sources.catalogfile import METHOD_KINDS
from sources.checker import method_rank
from sources.guides import all_guides, get_guide, search_guides
from sources.markup import render_document
from sources.models import Category, Vendor
from sources.selectors import (
    VendorFilters,
    catalog_search,
    categories_with_counts,
    vendor_dns_check,
    vendors_by_ids,
)
from sources.services.verification import vendor_maintainer

PAGE_SIZE = 20


def home(request):
    categories = [c for c in categories_with_counts() if c.n]
    return render(request, "sources/home.html", {"categories": categories})


def _filters(request) -> VendorFilters:
    def pick(name: str, allowed) -> str:
        value = request.GET.get(name, "")
        return value if value in allowed else ""

    return VendorFilters(
        category=pick("category", set(Category.objects.values_list("slug", flat=True))),
        method=pick("method", METHOD_KINDS),
        capability=pick("capability", CAPABILITY_LABELS),
    )


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def search(request):
    query = request.GET.get("q", "")[:1000].strip()
    filters = _filters(request)
    result = catalog_search(query=query, filters=filters)
    page = Paginator(result.ids, PAGE_SIZE).get_page(_page_number(request))
    context = {
        "query": query,
        "filters": filters,
        "page": page,
        "vendors": vendors_by_ids(list(page.object_list)),
        "facets": result.facets,
        "guides": search_guides(query)[:3] if result.query else [],
    }
    return render(request, "sources/search.html", context)


def category(request, slug):
    cat = get_object_or_404(Category, slug=slug)
    listing = cat.vendors.published().for_listing()
    page = Paginator(listing, PAGE_SIZE).get_page(_page_number(request))
    return render(request, "sources/category.html", {"category": cat, "page": page})


def vendor_detail(request, slug):
    vendor = get_object_or_404(
        Vendor.objects.published().with_details().select_related("dns_check"), slug=slug
    )
    methods = sorted(
        vendor.methods.all(),
        key=lambda m: method_rank(recommended=m.recommended, order=m.order, position=m.id),
    )
    maintainer = vendor_maintainer(vendor)
    context = {
        "vendor": vendor,
        "methods": methods,
        "maintainer": maintainer,
        "maintained": maintainer is not None,
        "dns_check": vendor_dns_check(vendor),
    }
    return render(request, "sources/vendor.html", context)


def guides_index(request):
    return render(request, "sources/guides.html", {"guides": all_guides()})


def guide_detail(request, slug):
    guide = get_guide(slug)
    if guide is None:
        raise Http404("No such guide")
    html, toc = render_document(guide.body)
    return render(request, "sources/guide.html", {"guide": guide, "html": html, "toc": toc})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
