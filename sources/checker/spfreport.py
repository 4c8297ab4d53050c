"""The SPF parts of a check, built on Developer A's include tree (`spf_tree`).

One tree per (resolver, domain) is built and shared: the report's SPF section
and an `spf-include` requirement on the same domain ask for the same tree at
the same moment.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING

from .report import SPFSummary
from .requirements import SPFInclusion
from .spf import SPFTree, is_spf_record, spf_authorises, spf_tree

if TYPE_CHECKING:
    from .dns import Resolver

_trees: weakref.WeakKeyDictionary[Resolver, dict[str, asyncio.Future[SPFTree]]] = (
    weakref.WeakKeyDictionary()
)


async def shared_tree(resolver: Resolver, domain: str) -> SPFTree:
    """spf_tree(), built once per resolver and domain."""
    per_resolver = _trees.setdefault(resolver, {})
    future = per_resolver.get(domain)
    if future is None:
        future = asyncio.ensure_future(spf_tree(resolver, domain))
        per_resolver[domain] = future
    return await asyncio.shield(future)


async def spf_summary(resolver: Resolver, domain: str) -> SPFSummary:
    """The SPF section of a report: record, lookup counts, issues and the include tree."""
    tree = await shared_tree(resolver, domain)
    status = {"ok": "ok", "none": "none", "permerror": "invalid", "temperror": "error"}[tree.result]
    retryable = any(issue.code == "dns-error" for issue in tree.errors) or any(
        issue.code == "lookup-failed" for issue in tree.warnings
    )
    return SPFSummary(
        record=tree.record,
        lookups=tree.lookups,
        void_lookups=tree.void_lookups,
        errors=tuple(issue.message for issue in tree.errors),
        warnings=tuple(issue.message for issue in tree.warnings),
        tree=tree.root.to_dict(),
        status=status,
        retryable=retryable,
    )


async def spf_reaches(resolver: Resolver, host: str, target: str) -> SPFInclusion:
    """Whether the SPF record at `host` reaches `target` through include/redirect."""
    tree, answer = await asyncio.gather(shared_tree(resolver, host), resolver.query(host, "TXT"))
    records = tuple(text for text in answer.records if is_spf_record(text))
    included = spf_authorises(tree, target)
    temporary = [issue for issue in tree.errors if issue.code == "dns-error"]
    if tree.result == "ok" and included:
        return SPFInclusion("included", tree.record, records, f"reaches {target}", True)
    if temporary and not included:
        return SPFInclusion("error", tree.record, records, temporary[0].message)
    if tree.result == "none" and not records:
        return SPFInclusion("no-record", None, records, f"{host} has no SPF record")
    permanent = [issue for issue in tree.errors if issue.code != "dns-error"]
    if permanent:
        prefix = f"includes {target}, but" if included else f"does not include {target}, and"
        detail = f"the SPF record at {host} {prefix} receivers get permerror: " + "; ".join(
            issue.message for issue in permanent[:3]
        )
        return SPFInclusion("invalid", tree.record, records, detail, included)
    if included:  # temporary trouble elsewhere in the tree
        return SPFInclusion("error", tree.record, records, temporary[0].message, True)
    return SPFInclusion("not-included", tree.record, records, _not_reached(tree, host, target))


def _not_reached(tree: SPFTree, host: str, target: str) -> str:
    wanted = target.lower().rstrip(".")
    blocked = [n.term for n in tree.nodes() if n.domain == wanted and n.via != "root" and n.term]
    if blocked:
        return (
            f"the SPF record at {host} names {target} only in {blocked[0]}, which cannot give a "
            "pass (a -, ~ or ? qualifier, or a term after all)"
        )
    return f"the SPF record at {host} does not reach {target}"
