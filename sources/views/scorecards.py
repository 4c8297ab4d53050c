"""Vendor scorecards, demand and votes, the leaderboard, the status badge and the
maintainers' dashboard. The rules live in sources/scorecard.py (points),
sources/demandselectors.py (figures) and sources/services/votes.py (votes)."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sources.badge import badge_svg, badge_words
from sources.demandselectors import SORTS, leaderboard, leaderboard_rows, vendor_demand
from sources.forms.votes import VoteForm
from sources.models import Vendor
from sources.ratelimit import rate_limited, too_many_requests, wait_message
from sources.scorecard import GUIDE_URL, POINTS, requirement_label, vendor_scorecard
from sources.selectors import vendor_to_data
from sources.services.demand import INLINE_SCORES, scores_refresh
from sources.services.maintainers import maintained_entries
from sources.services.votes import VoteError, vote_cast, vote_confirm

logger = logging.getLogger(__name__)

LEADERBOARD_PAGE = 50
BADGE_MAX_AGE = 3600


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def scorecard_context(vendor: Vendor, *, data: dict | None = None) -> dict:
    """The scorecard and demand figures of one entry (loaded `with_details`)."""
    data = data if data is not None else vendor_to_data(vendor)
    scorecard = vendor_scorecard(data)
    demand = vendor_demand(vendor.pk)
    top = demand.top_failure
    return {
        "scorecard": scorecard,
        "demand": demand,
        "top_failure_label": requirement_label(data, top["requirement"]) if top else "",
        "votes": [(p, demand.votes.get(p.key, 0)) for p in scorecard.points if p.votable],
        "guide_url": GUIDE_URL,
        "badge_url": settings.SITE_URL.rstrip("/") + reverse("vendor-badge", args=[vendor.slug]),
        "vendor_url": settings.SITE_URL.rstrip("/") + vendor.get_absolute_url(),
    }


def _vote_form(request, vendor, scorecard, data=None) -> VoteForm:
    choices = [(p.key, p.title) for p in scorecard.points if p.votable]
    return VoteForm(data, choices=choices, signed_in=request.user.is_authenticated)


def _scorecard_page(request, vendor, *, form=None, status=200):
    context = {"vendor": vendor, **scorecard_context(vendor)}
    context["form"] = form or _vote_form(request, vendor, context["scorecard"])
    return render(request, "sources/scorecard.html", context, status=status)


@require_GET
def vendor_scorecard_page(request, slug):
    vendor = get_object_or_404(Vendor.objects.published().with_details(), slug=slug)
    return _scorecard_page(request, vendor)


@require_POST
def vendor_vote(request, slug):
    """Cast an "I need this" vote: counted at once when signed in, else once confirmed."""
    vendor = get_object_or_404(Vendor.objects.published().with_details(), slug=slug)
    scorecard = vendor_scorecard(vendor_to_data(vendor))
    form = _vote_form(request, vendor, scorecard, request.POST)
    limited = rate_limited(request, "vote")
    if limited:
        form.is_valid()
        form.add_error(None, wait_message(limited))
        return too_many_requests(request, limited, _scorecard_page(request, vendor, form=form))
    if not form.is_valid():
        return _scorecard_page(request, vendor, form=form, status=400)
    if form.cleaned_data["homepage"]:
        logger.info("vote honeypot filled; ignored")
        messages.success(request, "Thank you. Check your mailbox to confirm the vote.")
        return redirect("vendor-scorecard", slug=vendor.slug)
    try:
        outcome = vote_cast(
            vendor=vendor,
            scorecard=scorecard,
            point=form.cleaned_data["point"],
            user=request.user,
            email=form.cleaned_data.get("email", ""),
        )
    except VoteError as exc:
        form.add_error("point", str(exc))
        return _scorecard_page(request, vendor, form=form, status=400)
    if outcome.counted:
        text = "Your vote is counted." if outcome.created else "You had already voted for this."
    else:
        text = "Thank you. Check your mailbox: the vote counts once you follow the link in it."
    messages.success(request, text)
    return redirect("vendor-scorecard", slug=vendor.slug)


@require_http_methods(["GET", "HEAD", "POST"])
def vote_confirm_page(request, token):
    """A page with a button (mail scanners follow links; only the POST counts the vote)."""
    if request.method != "POST":
        return render(request, "sources/vote_confirm.html", {"token": token})
    try:
        vote = vote_confirm(token=token)
    except VoteError as exc:
        return render(request, "sources/vote_confirm.html", {"error": str(exc)}, status=400)
    messages.success(request, "Your vote is counted. Thank you.")
    return redirect("vendor-scorecard", slug=vote.vendor.slug)


@require_GET
def leaderboard_page(request):
    scores_refresh(limit=INLINE_SCORES)
    sort = request.GET.get("sort", "alignment")
    sort = sort if sort in SORTS else "alignment"
    ordered = leaderboard(sort=sort).values_list("pk", flat=True)
    page = Paginator(ordered, LEADERBOARD_PAGE).get_page(_page_number(request))
    context = {
        "page": page,
        "rows": leaderboard_rows(list(page.object_list)),
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in SORTS.items()],
        "total_points": len(POINTS),
        "guide_url": GUIDE_URL,
    }
    return render(request, "sources/leaderboard.html", context)


@require_GET
def vendor_badge(request, slug):
    """The entry's status as an SVG badge, for vendors' own pages: cacheable, no scripts."""
    vendor = get_object_or_404(
        Vendor.objects.published().only("slug", "name", "dmarc_capability", "last_verified"),
        slug=slug,
    )
    label, message, state = badge_words(
        capability=vendor.dmarc_capability, verified=vendor.last_verified.isoformat()
    )
    seed = "|".join(["1", vendor.slug, vendor.name, label, message, state])
    etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        svg = badge_svg(label=label, message=message, state=state, title=vendor.name)
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={BADGE_MAX_AGE}"
    # Shown by other sites in <img>: allowed cross-origin, and inert when opened directly.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@login_required
def maintainer_dashboard(request):
    """The entries the user maintains: reports, others' proposals, scorecard, tools."""
    entries = [
        {"entry": entry, **scorecard_context(entry.vendor, data=entry.data)}
        for entry in maintained_entries(user=request.user)
    ]
    return render(request, "accounts/maintainer.html", {"entries": entries})
