from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from sources.catalogfile import PLACEHOLDER_RE
from sources.markup import render_markdown

register = template.Library()


@register.filter
def markdown(text: str):
    return render_markdown(text or "")


@register.filter
def placeholders(template_text: str):
    """Escape a record template and mark each {parameter} as a variable to fill in."""
    escaped = escape(template_text or "")
    return mark_safe(  # noqa: S308 - input escaped above; only <var> added
        PLACEHOLDER_RE.sub(lambda m: f"<var>{{{m.group(1)}}}</var>", escaped)
    )


PURPOSE_LABELS = {
    "return-path": "Return-Path (bounce) domain",
    "dkim": "DKIM key",
    "spf": "SPF",
    "delegation": "Subdomain delegation",
    "tracking": "Link tracking",
    "verification": "Domain verification",
}


@register.filter
def purpose_label(purpose: str) -> str:
    return PURPOSE_LABELS.get(purpose, purpose)
