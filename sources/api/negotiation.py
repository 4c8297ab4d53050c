"""Content negotiation that answers an unknown `?format=` with a 400 naming the field."""

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class FormatNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            known = ", ".join(renderer.format for renderer in renderers)
            raise ValidationError({"format": [f"Must be one of: {known}."]})
        return matching
