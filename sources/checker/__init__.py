"""The DNS checker: a pure-Python library (no Django) that tests a domain's DNS
against a vendor's DMARC requirements.

Front ends (views, API, management commands, tasks) call `check_domain` or
`check_many` with a `Resolver` of their own; everything else here is the
parts those are built from.
"""

from .check import UnknownMethod, check_domain, check_many, pick_method
from .dkim import DKIMKey, DKIMSelectorResult, DKIMSyntaxError, lookup_dkim, parse_dkim_key
from .dmarc import (
    DMARCRecord,
    DMARCResult,
    DMARCSyntaxError,
    aligned,
    discover_dmarc,
    find_organisational_domain,
    parse_dmarc,
)
from .dns import Answer, Resolver
from .domains import InvalidDomain, normalise_domain, organisational_domain
from .report import CheckReport
from .requirements import InvalidParameter, MethodSpec, RequirementResult

__all__ = [
    "Answer",
    "CheckReport",
    "DKIMKey",
    "DKIMSelectorResult",
    "DKIMSyntaxError",
    "DMARCRecord",
    "DMARCResult",
    "DMARCSyntaxError",
    "InvalidDomain",
    "InvalidParameter",
    "MethodSpec",
    "RequirementResult",
    "Resolver",
    "UnknownMethod",
    "aligned",
    "check_domain",
    "check_many",
    "discover_dmarc",
    "find_organisational_domain",
    "lookup_dkim",
    "normalise_domain",
    "organisational_domain",
    "parse_dkim_key",
    "parse_dmarc",
    "pick_method",
]
