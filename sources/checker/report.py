"""The result of a check: DMARC routes, the verdict, and the JSON shape.

The JSON produced by `CheckReport.to_dict()` is a public interface (see
DESIGN.md, "Interfaces that others build on"): keys may be added, never
renamed or dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .dkim import DKIMSelectorResult
from .dmarc import DMARCResult
from .requirements import RequirementResult, dkim_domain

Verdict = Literal["pass", "fail", "partial", "error"]
RouteKind = Literal["dkim", "spf"]
ROUTE_PURPOSES = {"dkim", "return-path", "delegation", "spf"}


@dataclass(frozen=True)
class SPFSummary:
    """The SPF section of a report (filled from spf.py's include tree)."""

    record: str | None
    lookups: int
    void_lookups: int
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    tree: Any = None  # JSON-ready include tree
    status: str = "ok"  # ok | none | invalid | error
    retryable: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "status": self.status,
            "record": self.record,
            "lookups": self.lookups,
            "void_lookups": self.void_lookups,
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "tree": self.tree,
        }


@dataclass(frozen=True)
class MXSummary:
    """The domain's MX records."""

    status: str
    records: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"status": self.status, "records": list(self.records), "errors": list(self.errors)}


@dataclass(frozen=True)
class Route:
    """One way the vendor's mail could pass DMARC, and whether it is in place."""

    kind: RouteKind
    requirement_ids: tuple[str, ...]
    domain: str  # the DKIM d= domain or the SPF (return-path) domain
    in_place: bool  # the records it needs pass
    aligned: bool | None  # None: the organisational domain could not be determined
    mode: Literal["r", "s"]
    detail: str = ""

    @property
    def passes(self) -> bool:
        """In place and aligned with the From domain."""
        return self.in_place and self.aligned is True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "requirements": list(self.requirement_ids),
            "domain": self.domain,
            "in_place": self.in_place,
            "aligned": self.aligned,
            "mode": "strict" if self.mode == "s" else "relaxed",
            "detail": self.detail,
        }


def find_routes(
    requirements: list[RequirementResult],
    *,
    adkim: Literal["r", "s"],
    aspf: Literal["r", "s"],
    from_domain: str,
    aligned: Callable[[str, str, Literal["r", "s"]], bool | None],
) -> list[Route]:
    """The DKIM and SPF routes the vendor's requirements set up, with their alignment."""
    groups: dict[tuple[RouteKind, str], list[RequirementResult]] = {}
    for item in requirements:
        for kind, domain in route_domains(item.purpose, item.host, item.selector):
            groups.setdefault((kind, domain), []).append(item)
    routes = []
    for (kind, domain), items in groups.items():
        needed = [item for item in items if item.required] or items
        in_place = all(_works(item) for item in needed)
        mode = adkim if kind == "dkim" else aspf
        is_aligned = aligned(from_domain, domain, mode)
        routes.append(
            Route(
                kind=kind,
                requirement_ids=tuple(item.id for item in items),
                domain=domain,
                in_place=in_place,
                aligned=is_aligned,
                mode=mode,
                detail=_route_detail(kind, domain, in_place, is_aligned, mode, from_domain),
            )
        )
    return routes


def route_domains(
    purpose: str, host: str | None, selector: str | None
) -> list[tuple[RouteKind, str]]:
    """The routes a record requirement serves, each with the domain that must align."""
    if host is None or purpose not in ROUTE_PURPOSES:
        return []
    if purpose == "dkim":
        domain = dkim_domain(host, selector) if selector else None
        return [("dkim", domain)] if domain else []
    if purpose == "delegation":
        # The vendor runs the delegated zone: its own SPF, DKIM keys and bounces.
        return [("dkim", host), ("spf", host)]
    return [("spf", host)]


def _works(item: RequirementResult) -> bool:
    if item.status == "pass":
        return True
    # A DKIM key that is valid but not published the vendor's way still signs.
    return item.status == "warn" and item.dkim is not None and item.dkim.status == "found"


def _route_detail(
    kind: RouteKind,
    domain: str,
    in_place: bool,
    is_aligned: bool | None,
    mode: str,
    from_domain: str,
) -> str:
    label = "DKIM (d=" if kind == "dkim" else "SPF (return-path "
    name = f"{label}{domain})"
    if not in_place:
        return f"{name} is not in place yet"
    if is_aligned is None:
        return f"{name} is in place; its alignment with {from_domain} could not be determined"
    if not is_aligned:
        rule = "strict (equal names)" if mode == "s" else "relaxed (same organisational domain)"
        return f"{name} is in place but not aligned with {from_domain} under {rule} alignment"
    return f"{name} is in place and aligned with {from_domain}"


def vendor_verdict(
    requirements: list[RequirementResult], routes: list[Route], dmarc: DMARCResult | None
) -> Verdict:
    """pass / partial / fail / error for a vendor check (see the module docstring of check)."""
    required = [item for item in requirements if item.required]
    passing = [route for route in routes if route.passes]
    if passing:
        # Without the DMARC record adkim/aspf are unknown: only a route whose
        # domain is the From domain itself is aligned in either mode.
        unknown_modes = dmarc is not None and dmarc.status == "error"
        if unknown_modes and not any(route.domain == dmarc.domain for route in passing):
            return "error"
        return "pass" if all(item.status == "pass" for item in required) else "partial"
    relevant = [item for item in requirements if item.purpose in ROUTE_PURPOSES]
    if any(item.status == "error" for item in relevant):
        return "error"
    if any(route.in_place and route.aligned is None for route in routes):
        return "error"
    return "fail"


def generic_verdict(
    dmarc: DMARCResult | None, spf: SPFSummary | None, mx: MXSummary | None
) -> Verdict:
    """A verdict on the domain's own DMARC set-up when no vendor is chosen."""
    failed = [
        dmarc is not None and dmarc.status == "error",
        spf is not None and spf.retryable,
        mx is not None and mx.status == "error",
    ]
    if mx is not None and mx.status == "nxdomain":
        return "fail"  # the domain does not exist
    if any(failed):
        return "error"
    if spf is not None and spf.status == "invalid":
        return "fail"  # a permerror fails SPF for all of the domain's mail
    if dmarc is not None and dmarc.status != "found":
        return "fail"
    weak_policy = dmarc is not None and dmarc.policy == "none"
    if weak_policy or (spf is not None and spf.status != "ok"):
        return "partial"
    return "pass"


@dataclass
class CheckReport:
    """Everything one check found; `to_dict()` gives the public JSON shape."""

    domain: str
    vendor: str | None = None
    vendor_name: str | None = None
    method: Mapping[str, Any] | None = None
    verdict: Verdict = "error"
    routes: list[Route] = field(default_factory=list)
    requirements: list[RequirementResult] = field(default_factory=list)
    spf: SPFSummary | None = None
    dmarc: DMARCResult | None = None
    dkim: dict[str, DKIMSelectorResult] = field(default_factory=dict)
    mx: MXSummary | None = None
    queries: int = 0
    elapsed_ms: float = 0.0
    cache_hits: int = 0
    trace: list[dict[str, Any]] = field(
        default_factory=list
    )  # each lookup's timing (dns.TraceEntry)
    input_error: str | None = None
    # Filled in by check_domain once the lookups are done (see check.py `_finish`).
    headline: str = ""
    verdict_label: str = ""  # the verdict in words (explain.verdict_label)
    dmarc_plan: Any = None  # dmarcplan.DMARCStages: the way from p=none to p=reject
    change_plan: dict[str, Any] | None = None
    domain_input: str | None = None  # the text as typed, when it differs from `domain`
    parameters: Mapping[str, str] = field(default_factory=dict)
    only: frozenset[str] | None = None
    dkim_selectors_checked: int | None = None  # known selectors tried without a vendor
    catalog_vendors: list[dict[str, Any]] | None = None
    # Vendor records found without being told (grouped by target) and the account values
    # read from them (see discovery.py).
    found: list[dict[str, Any]] = field(default_factory=list)
    found_values: dict[str, str] = field(default_factory=dict)
    spf_repair: Any = None  # spffix.SPFRepair when the SPF record is a permerror it can fix

    @property
    def summary(self) -> str:
        """The verdict in one sentence (the headline; kept under its older name)."""
        return self.headline

    @property
    def dmarc_pass_routes(self) -> list[str]:
        """The route kinds ("dkim", "spf") that are in place and aligned."""
        kinds = {route.kind for route in self.routes if route.passes}
        return [kind for kind in ("dkim", "spf") if kind in kinds]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of DESIGN.md's check_domain interface, as every front end gives it."""
        data = self.base_dict()
        if self.dkim_selectors_checked:
            data["dkim_selectors_checked"] = self.dkim_selectors_checked
        if self.catalog_vendors is not None:
            data["catalog_vendors"] = self.catalog_vendors
        if self.domain_input and self.domain_input != self.domain:
            data["domain_input"] = self.domain_input
        data["parameters"] = dict(self.parameters)
        data["found"] = list(self.found)
        data["found_values"] = dict(self.found_values)
        data["only"] = sorted(self.only) if self.only is not None else None
        data["headline"] = self.headline
        data["verdict_label"] = self.verdict_label
        data["dmarc_plan"] = self.dmarc_plan.to_dict() if self.dmarc_plan else None
        data["change_plan"] = self.change_plan
        return data

    def base_dict(self) -> dict[str, Any]:
        """The lookups' findings as JSON (what the headline and change plan are made from)."""
        return {
            "domain": self.domain,
            "vendor": self.vendor,
            "vendor_name": self.vendor_name,
            "method": dict(self.method) if self.method else None,
            "verdict": self.verdict,
            "summary": self.headline,
            "dmarc_pass_routes": self.dmarc_pass_routes,
            "routes": [route.to_dict() for route in self.routes],
            "requirements": [item.to_dict() for item in self.requirements],
            "spf": self.spf.to_dict() if self.spf else None,
            "dmarc": _dmarc_dict(self.dmarc) if self.dmarc else None,
            "dkim": {name: _dkim_dict(result) for name, result in self.dkim.items()},
            "mx": self.mx.to_dict() if self.mx else None,
            "spf_repair": self.spf_repair.to_dict() if self.spf_repair else None,
            "stats": {
                "queries": self.queries,
                "elapsed_ms": round(self.elapsed_ms, 1),
                "cache_hits": self.cache_hits,
                "trace": list(self.trace),
            },
            **({"input_error": self.input_error} if self.input_error else {}),
        }


def _dmarc_dict(result: DMARCResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "record": result.record_text,
        "policy": result.policy,
        "policy_tag": result.policy_tag,
        "policy_domain": result.policy_domain,
        "testing": result.testing,
        "adkim": result.adkim,
        "aspf": result.aspf,
        "organisational_domain": result.organisational_domain,
        "psl_organisational_domain": result.psl_organisational_domain,
        "report_destinations": [
            {"tag": d.tag, "uri": d.uri, "domain": d.domain, "status": d.status}
            for d in result.report_destinations
        ],
        "warnings": list(result.warnings),
        "errors": list(result.errors),
        "queries": list(result.queries),
    }


def _dkim_dict(result: DKIMSelectorResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "key_type": result.key_type,
        "bits": result.bits,
        "warnings": list(result.warnings),
        "errors": list(result.errors),
        "name": result.name,
        "cname_target": result.cname_target,
        "testing": bool(result.key and result.key.testing),
    }
