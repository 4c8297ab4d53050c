"""A domain's SPF record with everything it includes, for diagnostics.

Unlike check_host(), which stops at the first match, the tree follows every
include and redirect so that it can report the worst case a receiver may
meet: the total of DNS-querying terms (RFC 7208 limit: 10), void lookups
(limit: 2), loops, records that are missing, duplicated or malformed. It
carries on past the limits so the report can show where the cost comes
from, while `result` says "permerror".

The records of one level are fetched concurrently, so building the tree
costs about one round trip per level of nesting.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from .dns import Resolver, normalise_name
from .spf_eval import MAX_LOOKUP_TERMS, MAX_MX_NAMES, MAX_VOID_LOOKUPS
from .spf_macros import as_query_name, domain_problem, transform
from .spf_syntax import (
    MacroString,
    Mechanism,
    SPFRecord,
    SPFSyntaxError,
    is_spf_record,
    parse_record,
)

TreeResult = Literal["ok", "none", "permerror", "temperror"]
NodeStatus = Literal["ok", "none", "permerror", "temperror", "loop", "skipped"]
DEFAULT_MAX_RECORDS = 100

# via, term, target, position in the record, and whether a pass there passes the record.
_Branch = tuple[Literal["include", "redirect"], str, MacroString | None, int, bool]

# Issue codes that make receivers return temperror rather than permerror.
TEMPORARY = frozenset({"dns-error"})


@dataclass(frozen=True)
class SPFIssue:
    """One error or warning, tied to the domain whose record caused it."""

    code: str
    message: str
    domain: str
    position: int | None = None  # character in that domain's record

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data: dict[str, Any] = {"code": self.code, "message": self.message, "domain": self.domain}
        if self.position is not None:
            data["position"] = self.position
        return data


@dataclass
class SPFNode:
    """One record in the tree and how it was reached."""

    domain: str
    via: Literal["root", "include", "redirect"]
    term: str | None = None  # the term of the parent that led here
    status: NodeStatus = "ok"
    record: str | None = None
    lookups: int = 0  # DNS-querying terms in this record itself
    branch_lookups: int = 0  # ... plus those of everything below it
    void_lookups: int = 0  # void lookups caused by this record's own terms
    branch_void_lookups: int = 0
    children: list[SPFNode] = field(default_factory=list)
    errors: list[SPFIssue] = field(default_factory=list)
    warnings: list[SPFIssue] = field(default_factory=list)
    missing: bool = False  # the lookup for this domain's record was void
    # A pass here is a pass of the parent: reached by a "+" include that comes
    # before any all, or by a redirect. "-include:x" or an include after "-all"
    # is shown in the tree but authorises nobody.
    passes_parent: bool = True

    def walk(self) -> Iterator[SPFNode]:
        """This node and all below it, depth first, in record order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, children included."""
        return {
            "domain": self.domain,
            "via": self.via,
            "term": self.term,
            "passes_parent": self.passes_parent,
            "status": self.status,
            "record": self.record,
            "lookups": self.lookups,
            "branch_lookups": self.branch_lookups,
            "void_lookups": self.void_lookups,
            "branch_void_lookups": self.branch_void_lookups,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
            "children": [child.to_dict() for child in self.children],
        }


@dataclass
class SPFTree:
    """The SPF picture of one domain."""

    domain: str
    root: SPFNode
    result: TreeResult
    lookups: int
    void_lookups: int
    errors: list[SPFIssue]
    warnings: list[SPFIssue]

    @property
    def record(self) -> str | None:
        """The domain's own SPF record, if it has one."""
        return self.root.record

    def nodes(self) -> Iterator[SPFNode]:
        """Every node, root first."""
        return self.root.walk()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "domain": self.domain,
            "record": self.record,
            "result": self.result,
            "lookups": self.lookups,
            "lookup_limit": MAX_LOOKUP_TERMS,
            "void_lookups": self.void_lookups,
            "void_lookup_limit": MAX_VOID_LOOKUPS,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
            "tree": self.root.to_dict(),
        }


class _Builder:
    def __init__(self, resolver: Resolver, root_domain: str, max_records: int) -> None:
        self.resolver = resolver
        self.root_domain = root_domain
        self.max_records = max_records
        self.records_seen = 0
        self.void_checks = 0  # a/mx/exists terms looked up so far, tree-wide
        self.void_checks_skipped = False

    async def build(
        self,
        domain: str,
        via: Literal["root", "include", "redirect"],
        term: str | None,
        path: tuple[str, ...],
        passes_parent: bool = True,
    ) -> SPFNode:
        node = SPFNode(domain, via, term, passes_parent=passes_parent)
        if domain in path:
            node.status = "loop"
            chain = " → ".join((*path, domain))
            node.errors.append(SPFIssue("loop", f"{term} loops back: {chain}", path[-1]))
            return node
        self.records_seen += 1
        if self.records_seen > self.max_records:
            node.status = "skipped"
            node.warnings.append(
                SPFIssue(
                    "tree-truncated",
                    f"not followed: more than {self.max_records} records in the tree",
                    domain,
                )
            )
            return node
        record = await self._fetch(node)
        if record is None:
            return node
        node.lookups = record.lookup_terms
        self._warn_about_terms(node, record)
        await self._descend(node, record, (*path, domain))
        return node

    async def _fetch(self, node: SPFNode) -> SPFRecord | None:
        domain = node.domain
        problem = domain_problem(domain)
        if problem:
            node.status = "none"
            node.errors.append(
                SPFIssue("invalid-domain", f"{domain!r} is not a valid domain: {problem}", domain)
            )
            return None
        answer = await self.resolver.query(domain, "TXT")
        if answer.is_retryable:
            node.status = "temperror"
            node.errors.append(
                SPFIssue(
                    "dns-error",
                    f"could not fetch the TXT records of {domain}: "
                    f"{answer.status} {answer.reason}".strip(),
                    domain,
                )
            )
            return None
        node.missing = answer.is_missing
        texts = [text for text in answer.records if is_spf_record(text)]
        if not texts:
            node.status = "none"
            node.errors.append(self._no_record_issue(node))
            return None
        node.record = texts[0]
        if len(texts) > 1:
            node.status = "permerror"
            node.errors.append(
                SPFIssue(
                    "multiple-records",
                    f"{domain} publishes {len(texts)} SPF records; exactly one is allowed",
                    domain,
                )
            )
            return None
        try:
            return parse_record(texts[0])
        except SPFSyntaxError as exc:
            node.status = "permerror"
            node.errors.append(
                SPFIssue(
                    "syntax",
                    f"syntax error at character {exc.position}: {exc.reason}",
                    domain,
                    exc.position,
                )
            )
            return None

    def _no_record_issue(self, node: SPFNode) -> SPFIssue:
        if node.via == "root":
            return SPFIssue("no-record", f"{node.domain} has no SPF record", node.domain)
        code = "include-none" if node.via == "include" else "redirect-none"
        return SPFIssue(
            code,
            f"{node.term} points at {node.domain}, which has no SPF record: "
            "receivers return permerror",
            node.domain,
        )

    def _warn_about_terms(self, node: SPFNode, record: SPFRecord) -> None:
        domain = node.domain
        for mechanism in record.mechanisms:
            if mechanism.kind == "ptr":
                node.warnings.append(
                    SPFIssue(
                        "ptr",
                        f"{mechanism.text}: the ptr mechanism is slow and discouraged "
                        "(RFC 7208 5.5)",
                        domain,
                        mechanism.position,
                    )
                )
            if mechanism.kind == "all" and mechanism.qualifier == "+":
                node.warnings.append(
                    SPFIssue(
                        "pass-all",
                        f"{mechanism.text} lets every host on the internet pass SPF",
                        domain,
                        mechanism.position,
                    )
                )
        if record.redirect is not None and record.has_all:
            node.warnings.append(
                SPFIssue(
                    "redirect-ignored",
                    "redirect= is ignored because the record has an all mechanism",
                    domain,
                    record.redirect.position,
                )
            )
        if node.via == "root" and not record.has_all and record.redirect is None:
            node.warnings.append(
                SPFIssue(
                    "no-all",
                    "the record ends without an all mechanism: unlisted senders get neutral",
                    domain,
                )
            )

    async def _descend(self, node: SPFNode, record: SPFRecord, path: tuple[str, ...]) -> None:
        branches: list[_Branch] = []
        after_all = False
        for mechanism in record.mechanisms:
            if mechanism.kind == "include":
                passes = mechanism.qualifier == "+" and not after_all
                branches.append(
                    ("include", mechanism.text, mechanism.target, mechanism.position, passes)
                )
            after_all = after_all or mechanism.kind == "all"
        if record.redirect_used and record.redirect is not None:
            redirect = record.redirect
            branches.append(
                ("redirect", f"redirect={redirect.value}", redirect.target, redirect.position, True)
            )
        child_jobs = []
        for via, term, target, position, passes in branches:
            name = self._static_name(target, node.domain)
            if name is None:
                node.warnings.append(
                    SPFIssue(
                        "not-followed",
                        f"{term}: the target depends on the message (macros) and was not followed",
                        node.domain,
                        position,
                    )
                )
                continue
            child_jobs.append(self.build(name, via, term, path, passes))
        checks = []
        for mechanism in record.mechanisms:
            if mechanism.kind not in ("a", "mx", "exists"):
                continue
            # A receiver stops after 10 DNS-querying terms, so more checks add
            # nothing but queries; unbounded, they would spend the whole check's
            # query budget and starve its DKIM and DMARC lookups.
            if self.void_checks >= MAX_LOOKUP_TERMS:
                self._skip_void_check(node, mechanism)
                continue
            self.void_checks += 1
            checks.append(self._void_check(node, mechanism))
        # Included records and the void checks of a/mx/exists all go out together.
        children, _ = await asyncio.gather(asyncio.gather(*child_jobs), asyncio.gather(*checks))
        node.children = list(children)
        for child in node.children:
            if child.missing:
                node.void_lookups += 1
                node.warnings.append(
                    SPFIssue(
                        "void-lookup",
                        f"{child.term}: {child.domain} does not exist or has no TXT records "
                        "(a void lookup)",
                        node.domain,
                    )
                )
        node.branch_lookups = node.lookups + sum(child.branch_lookups for child in node.children)
        node.branch_void_lookups = node.void_lookups + sum(
            child.branch_void_lookups for child in node.children
        )

    def _static_name(self, target: MacroString | None, domain: str) -> str | None:
        """Expand a target that only uses %{d} or %{o}; None when it needs the message."""
        if target is None:
            return domain
        parts = []
        for token in target:
            if isinstance(token, str):
                parts.append(token)
            elif token.letter == "d":
                parts.append(transform(token, domain))
            elif token.letter == "o":
                parts.append(transform(token, self.root_domain))
            else:
                return None
        name = as_query_name("".join(parts))
        # DNS names ignore case: "include:_SPF.Vendor.test" reaches _spf.vendor.test
        # and closes a loop back to vendor.test.
        return name.lower() if name is not None else None

    async def _void_check(self, node: SPFNode, mechanism: Mechanism) -> None:
        name = self._static_name(mechanism.target, node.domain)
        if name is None:
            return
        if mechanism.kind == "a":
            answers = await asyncio.gather(
                self.resolver.query(name, "A"), self.resolver.query(name, "AAAA")
            )
        else:
            rdtype = "MX" if mechanism.kind == "mx" else "A"
            answers = [await self.resolver.query(name, rdtype)]
        if failed := [answer for answer in answers if answer.is_retryable]:
            node.warnings.append(
                SPFIssue(
                    "lookup-failed",
                    f"{mechanism.text}: could not look up {name} ({failed[0].status})",
                    node.domain,
                    mechanism.position,
                )
            )
        elif all(answer.is_missing for answer in answers):
            node.void_lookups += 1
            node.warnings.append(
                SPFIssue(
                    "void-lookup",
                    f"{mechanism.text}: {name} has no records of that type (a void lookup)",
                    node.domain,
                    mechanism.position,
                )
            )
        elif mechanism.kind == "mx" and len(answers[0].records) > MAX_MX_NAMES:
            node.errors.append(
                SPFIssue(
                    "too-many-mx",
                    f"{mechanism.text}: {name} has {len(answers[0].records)} MX records; "
                    f"more than {MAX_MX_NAMES} is a permerror",
                    node.domain,
                    mechanism.position,
                )
            )

    def _skip_void_check(self, node: SPFNode, mechanism: Mechanism) -> None:
        if not self.void_checks_skipped:  # one warning per tree
            self.void_checks_skipped = True
            node.warnings.append(
                SPFIssue(
                    "void-checks-skipped",
                    f"{mechanism.text} and later a/mx/exists terms were not looked up: "
                    f"receivers stop after {MAX_LOOKUP_TERMS} DNS-querying terms",
                    node.domain,
                    mechanism.position,
                )
            )


async def spf_tree(
    resolver: Resolver, domain: str, *, max_records: int = DEFAULT_MAX_RECORDS
) -> SPFTree:
    """Fetch a domain's SPF record and its whole include/redirect tree, with diagnostics."""
    name = _normalise(domain)
    builder = _Builder(resolver, name, max_records)
    root = await builder.build(name, "root", None, ())
    errors = [issue for node in root.walk() for issue in node.errors]
    warnings = [issue for node in root.walk() for issue in node.warnings]
    lookups, void = root.branch_lookups, root.branch_void_lookups
    if lookups > MAX_LOOKUP_TERMS:
        errors.append(
            SPFIssue(
                "too-many-lookups",
                f"{lookups} DNS-querying terms in the whole tree; receivers stop at "
                f"{MAX_LOOKUP_TERMS} and return permerror",
                name,
            )
        )
    if void > MAX_VOID_LOOKUPS:
        errors.append(
            SPFIssue(
                "too-many-void-lookups",
                f"{void} void lookups in the whole tree; receivers stop after "
                f"{MAX_VOID_LOOKUPS} and return permerror",
                name,
            )
        )
    counts = Counter(node.domain for node in root.walk() if node.via == "include")
    for included, times in sorted(counts.items()):
        if times > 1:
            warnings.append(
                SPFIssue(
                    "duplicate-include",
                    f"{included} is included {times} times; each costs lookups again",
                    name,
                )
            )
    return SPFTree(name, root, _result(root, errors), lookups, void, errors, warnings)


def _result(root: SPFNode, errors: list[SPFIssue]) -> TreeResult:
    if root.record is None and root.status in ("none", "temperror"):
        return "temperror" if root.status == "temperror" else "none"
    if any(issue.code not in TEMPORARY for issue in errors):
        return "permerror"
    if errors:
        return "temperror"
    return "ok"


def _normalise(domain: str) -> str:
    try:
        return normalise_name(domain)
    except ValueError:
        return domain.strip().lower().rstrip(".")


def spf_authorises(tree: SPFTree, domain: str, *, subdomains: bool = False) -> bool:
    """True if an include or redirect anywhere in the tree reaches `domain` so that its pass counts.

    Only chains of "+" includes placed before any `all` (and redirects) count:
    "~include:x", or "include:x" after "-all", never lets x's senders pass.
    With `subdomains`, reaching any name under `domain` also counts.
    """
    wanted = _normalise(domain)

    def reaches(node: SPFNode) -> bool:
        for child in node.children:
            if not child.passes_parent:
                continue
            if child.domain == wanted or (subdomains and child.domain.endswith("." + wanted)):
                return True
            if reaches(child):
                return True
        return False

    return reaches(tree.root)
