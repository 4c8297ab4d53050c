"""The DMARC record generator (a GET form: its address is the record's permalink)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sources.checker.fixes import zone_line
from sources.forms.dmarc import DMARCRecordForm


@require_GET
def dmarc_generator(request: HttpRequest) -> HttpResponse:
    """Choose a policy and a reporting address; get the record and what else it needs."""
    form = DMARCRecordForm(request.GET if "domain" in request.GET else None)
    draft = form.draft if form.is_bound and form.is_valid() else None
    context = {
        "form": form,
        "draft": draft,
        "zone_line": zone_line(draft.host, "TXT", draft.record) if draft else "",
        "authorisation_lines": [zone_line(h, "TXT", v) for h, v in draft.authorisations]
        if draft
        else [],
    }
    return render(request, "checks/dmarc.html", context)
