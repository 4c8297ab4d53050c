from django.urls import path

from sources.views import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", pages.search, name="search"),
    path("categories/<slug:slug>/", pages.category, name="category"),
    path("vendors/<slug:slug>/", pages.vendor_detail, name="vendor"),
    path("guides/", pages.guides_index, name="guides"),
    path("guides/<slug:slug>/", pages.guide_detail, name="guide"),
]
