from django.contrib import admin
from django.urls import include, path, re_path

from sources.api.errors import not_found as api_not_found
from sources.ops.metrics import metrics_view
from sources.ratelimit import limit_posts

urlpatterns = [
    # Password guesses against the admin share the site's sign-in limit ("login").
    path("admin/login/", limit_posts("login", what="sign-in attempts")(admin.site.login)),
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", include("sources.api.urls")),
    re_path(r"^api/", api_not_found),  # JSON 404s for the rest of /api/
    path("", include("sources.urls")),
]

handler404 = "sources.views.pages.not_found"
handler500 = "sources.api.errors.server_error"  # JSON under /api/, else the site's page
