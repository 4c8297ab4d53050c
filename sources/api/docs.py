"""The API's documentation pages: Swagger UI and Redoc, served by the site (no CDN).

Both run under the site's Content-Security-Policy without inline scripts: Swagger
UI's start-up script is a separate URL (SpectacularSwaggerSplitView) and Redoc's is
a static file. Redoc styles itself with <style> elements and searches in a blob:
worker, so its page alone allows inline styles and blob: workers.
"""

from django.conf import settings
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

REDOC_CSP = {
    **settings.SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "worker-src": [CSP.SELF, "blob:"],
}


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
    url_name = "api:schema"


swagger = SwaggerView.as_view()
redoc = csp_override(REDOC_CSP)(RedocView.as_view())
