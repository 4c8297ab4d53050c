"""The catalog: vendors, their setup methods and the DNS records each method needs."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse

from sources.capability import CAPABILITY_LABELS, UNKNOWN
from sources.catalogfile import CHECKS, METHOD_KINDS, PURPOSES, RECORD_TYPES


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("category", args=[self.slug])


class VendorQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def for_listing(self):
        return self.prefetch_related("categories").only(
            "slug", "name", "summary", "dmarc_capability", "spf_routes", "dkim_routes"
        )

    def with_details(self):
        return self.prefetch_related(
            "categories",
            "documentation",
            models.Prefetch(
                "methods",
                queryset=SetupMethod.objects.prefetch_related("parameters", "records"),
            ),
        )


class Vendor(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    aliases = models.JSONField(default=list, blank=True)
    website = models.URLField()
    categories = models.ManyToManyField(Category, related_name="vendors")
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Markdown")
    last_verified = models.DateField()
    published = models.BooleanField(default=True, db_index=True)
    undocumented = models.JSONField(default=list, blank=True)
    no_compliant_option = models.BooleanField(default=False)
    no_compliant_explanation = models.TextField(blank=True)

    # Derived from the methods by services.vendor_refresh_derived(); never edited.
    dmarc_capability = models.CharField(
        max_length=20,
        choices=list(CAPABILITY_LABELS.items()),
        default=UNKNOWN,
        editable=False,
        db_index=True,
    )
    spf_routes = models.JSONField(default=list, editable=False)
    dkim_routes = models.JSONField(default=list, editable=False)
    method_kinds = models.CharField(max_length=300, default="", editable=False)
    search_names = models.TextField(default="", editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = VendorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        # PostgreSQL only: migration 0002 creates them with operations that skip SQLite.
        indexes = [
            GinIndex(fields=["search_vector"], name="vendor_search_vector"),
            GinIndex(fields=["search_names"], name="vendor_names_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendor", args=[self.slug])

    @property
    def capability_label(self) -> str:
        return CAPABILITY_LABELS[self.dmarc_capability]


class SetupMethod(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="methods")
    kind = models.CharField(max_length=30, choices=list(METHOD_KINDS.items()))
    title = models.CharField(max_length=300)
    recommended = models.BooleanField(default=False)
    order = models.IntegerField(default=0)
    steps = models.TextField(help_text="Markdown")
    sources = models.JSONField(default=list, help_text="Documentation URLs for these records")

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.vendor}: {self.title}"


class MethodParameter(models.Model):
    method = models.ForeignKey(SetupMethod, on_delete=models.CASCADE, related_name="parameters")
    name = models.CharField(max_length=50)
    label = models.CharField(max_length=300)
    help = models.TextField(blank=True)
    pattern = models.CharField(max_length=500, blank=True)
    example = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["method", "name"], name="unique_parameter_name")
        ]

    def __str__(self) -> str:
        return self.name


class RecordRequirement(models.Model):
    method = models.ForeignKey(SetupMethod, on_delete=models.CASCADE, related_name="records")
    record_id = models.CharField(max_length=60)
    rtype = models.CharField("type", max_length=10, choices=[(t, t) for t in RECORD_TYPES])
    host = models.CharField(max_length=2000)
    value = models.CharField(max_length=2000, blank=True)
    check_type = models.CharField(
        "check", max_length=20, choices=[(c, c) for c in CHECKS], default="equals"
    )
    pattern = models.CharField(max_length=500, blank=True)
    purpose = models.CharField(max_length=20, choices=[(p, p) for p in PURPOSES])
    selector = models.CharField(max_length=300, blank=True)
    priority = models.PositiveIntegerField(null=True, blank=True)
    required = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["method", "record_id"], name="unique_record_id")
        ]

    def __str__(self) -> str:
        return f"{self.rtype} {self.host}"


class DocumentationLink(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="documentation")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=1000)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title
