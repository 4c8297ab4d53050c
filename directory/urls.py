from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("sources.urls")),
]

handler404 = "sources.views.pages.not_found"
handler500 = "sources.views.pages.server_error"
