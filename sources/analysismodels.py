"""A message analysis kept for its permalink (only when its user asks for one).

It holds the analysis as the report shows it (the header fields read, the verdicts),
never the message's body. Kept CHECK_RETENTION_DAYS days, like stored checks.
Imported by sources.models, so that Django sees it with the app's other models.
"""

import uuid

from django.db import models
from django.urls import reverse


class MessageAnalysis(models.Model):
    """One analysis a user asked to keep: the report's JSON, without the body."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    from_domain = models.CharField(max_length=253, blank=True)
    verdict = models.CharField(max_length=10)
    result = models.JSONField(help_text="The analysis, in analyze_message's JSON shape")
    source = models.CharField(max_length=10, default="web")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "sources"
        ordering = ["-created_at"]
        verbose_name_plural = "message analyses"

    def __str__(self) -> str:
        return f"{self.from_domain or 'message'}: {self.verdict}"

    def get_absolute_url(self) -> str:
        return reverse("analysis-result", args=[self.pk])
