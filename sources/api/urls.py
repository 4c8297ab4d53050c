"""The REST API, version 1, mounted at /api/v1/ (namespace "api").

Add endpoints here as paths to views; they share the project-wide settings in
REST_FRAMEWORK (one error shape, throttling, token auth). Unknown URLs under /api/
get the JSON 404 from sources.api.errors.not_found (directory/urls.py).
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from sources.api import analyses, checks, docs, submissions, views, watches

app_name = "api"

urlpatterns = [
    path("", views.api_root, name="root"),
    # The catalog.
    path("vendors", views.vendor_list, name="vendors"),
    path("vendors/<slug:slug>", views.vendor_detail, name="vendor"),
    path("categories", views.category_list, name="categories"),
    path("method-kinds", views.method_kind_list, name="method-kinds"),
    path("lookup", views.lookup, name="lookup"),
    path("catalog.json", views.catalog, name="catalog"),
    # DNS checks (sources/api/checks.py).
    path("checks", checks.check_create_view, name="checks"),
    path("checks/<uuid:pk>", checks.check_detail_view, name="check"),
    path("bulk-checks", checks.bulk_check_create_view, name="bulk-checks"),
    path("bulk-checks/<uuid:pk>", checks.bulk_check_detail_view, name="bulk-check"),
    path(
        "bulk-checks/<uuid:pk>/results",
        checks.bulk_check_results_view,
        name="bulk-check-results",
    ),
    # Message analyses (sources/api/analyses.py).
    path("analyses", analyses.analysis_create_view, name="analyses"),
    path("analyses/<uuid:pk>", analyses.analysis_detail_view, name="analysis"),
    # Submissions (sources/api/submissions.py).
    path("submissions", submissions.submission_create_view, name="submissions"),
    path("submissions/<int:pk>", submissions.submission_detail_view, name="submission"),
    # Domain verification: watched domains and webhooks (sources/api/watches.py).
    path("watches", watches.watch_list_view, name="watches"),
    path("watches/<uuid:pk>", watches.watch_detail_view, name="watch"),
    path("watches/<uuid:pk>/verify", watches.watch_verify_view, name="watch-verify"),
    path("watches/<uuid:pk>/events", watches.watch_events_view, name="watch-events"),
    path("webhooks", watches.webhook_list_view, name="webhooks"),
    path("webhooks/<int:pk>", watches.webhook_detail_view, name="webhook"),
    path(
        "webhooks/<int:pk>/deliveries", watches.webhook_deliveries_view, name="webhook-deliveries"
    ),
    # The schema and its documentation pages.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.swagger, name="docs"),
    path("docs/redoc/", docs.redoc, name="redoc"),
]
