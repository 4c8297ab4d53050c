"""Record templates of the catalog: `{name}` placeholders in hosts, values and selectors.

Apart from the format module so that the lint and coverage reports, which the
format module's command line runs, can read templates without importing it.
"""

from __future__ import annotations

import re

PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses (`{domain}` included)."""
    return set(PLACEHOLDER_RE.findall(template))
