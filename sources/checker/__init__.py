"""The DNS checker: a pure-Python library (no Django) that tests a domain's DNS
against a vendor's DMARC requirements.

Front ends (views, API, management commands, tasks) validate their input once
with `check_setup`, then call `check_domain` or `check_many` with a `Resolver`
of their own; the report that comes back (verdict, headline, change plan and
every finding) is all they render or store. Everything else here is the parts
those are built from.
"""

from .changeplan import SPFCosts, change_plan, spf_costs
from .check import CatalogHints, check_domain, check_many
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
from .explain import PolicyExplanation, explain_policy, headline
from .report import CheckReport
from .requirements import InvalidParameter, MethodSpec, RequirementResult
from .setup import (
    CheckSetup,
    UnknownMethod,
    best_first,
    check_setup,
    default_method,
    method_rank,
    pick_method,
)
from .specs import MAX_PARAMETER_LENGTH
from .text import render_text, render_trace

__all__ = [
    "MAX_PARAMETER_LENGTH",
    "Answer",
    "CatalogHints",
    "CheckReport",
    "CheckSetup",
    "DKIMKey",
    "DKIMSelectorResult",
    "DKIMSyntaxError",
    "DMARCRecord",
    "DMARCResult",
    "DMARCSyntaxError",
    "InvalidDomain",
    "InvalidParameter",
    "MethodSpec",
    "PolicyExplanation",
    "RequirementResult",
    "Resolver",
    "SPFCosts",
    "UnknownMethod",
    "aligned",
    "best_first",
    "change_plan",
    "check_domain",
    "check_many",
    "check_setup",
    "default_method",
    "discover_dmarc",
    "explain_policy",
    "find_organisational_domain",
    "headline",
    "lookup_dkim",
    "method_rank",
    "normalise_domain",
    "organisational_domain",
    "parse_dkim_key",
    "parse_dmarc",
    "pick_method",
    "render_text",
    "render_trace",
    "spf_costs",
]
