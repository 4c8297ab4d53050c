"""The embeddable status badge: a small SVG drawn from fixed words and a date.

Pure Python. Every text is escaped for XML, so nothing a submitter wrote can turn
into markup or script in someone else's page.
"""

from __future__ import annotations

from html import escape

from sources.capability import DKIM_ONLY, FULL, NONE, SPF_ONLY

READY_CAPABILITIES = {FULL, DKIM_ONLY, SPF_ONLY}
COLOURS = {"ready": "#2e7d32", "none": "#b3261e", "unknown": "#5f6368"}
LABEL_COLOUR = "#3c4043"
CHAR_WIDTH = 6.6  # average advance of 11 px Verdana/DejaVu Sans, in px
PADDING = 8


def badge_words(*, capability: str, verified: str) -> tuple[str, str, str]:
    """(label, message, state) for an entry's capability and last-verified date."""
    if capability in READY_CAPABILITIES:
        return "DMARC-ready", f"verified {verified}", "ready"
    if capability == NONE:
        return "DMARC", "no aligned option", "none"
    return "DMARC", "not documented", "unknown"


def _width(text: str) -> int:
    return round(len(text) * CHAR_WIDTH) + 2 * PADDING


def badge_svg(*, label: str, message: str, state: str, title: str) -> str:
    """The badge as an SVG document; `title` (the vendor's name) names it for screen readers."""
    left, right = _width(label), _width(message)
    total = left + right
    label_x, message_x = left / 2, left + right / 2
    title = escape(f"{title}: {label} · {message}")
    label, message = escape(label), escape(message)
    colour = COLOURS.get(state, COLOURS["unknown"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" '
        f'viewBox="0 0 {total} 20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<rect width="{left}" height="20" rx="3" fill="{LABEL_COLOUR}"/>'
        f'<rect x="{left}" width="{right}" height="20" rx="3" fill="{colour}"/>'
        f'<rect x="{left - 3}" width="6" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" '
        f'text-anchor="middle">'
        f'<text x="{label_x}" y="14">{label}</text>'
        f'<text x="{message_x}" y="14">{message}</text>'
        f"</g></svg>"
    )
