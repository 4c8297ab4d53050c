"""The addresses an SPF record (with everything it includes) authorises, as networks.

Used to answer "which vendors' SPF authorises this IP?" (the source IPs of DMARC
aggregate reports): each catalog include is walked once with `spf_tree`, and the `+ip4`
and `+ip6` terms of every record a pass reaches are collected. Terms whose addresses
cannot be listed ahead of time (`a`, `mx`, `exists`, `ptr`, macros) are counted in
`unlisted`, so an answer can say that it may be incomplete.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .dns import Resolver
from .spf_syntax import SPFSyntaxError, parse_record
from .spf_tree import SPFNode, spf_tree

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_RECORDS = 40  # records walked per include (vendors' trees are far smaller)


@dataclass(frozen=True)
class SPFNetworks:
    """The networks one domain's SPF authorises."""

    domain: str
    status: str  # the tree's result: ok | none | permerror | temperror
    networks: tuple[Network, ...] = ()
    unlisted: int = 0  # passing terms whose addresses cannot be listed

    def covering(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Network | None:
        """The narrowest network that holds `address`, or None."""
        holding = [net for net in self.networks if address in net]
        return max(holding, key=lambda net: net.prefixlen) if holding else None


async def spf_networks(
    resolver: Resolver, domain: str, *, max_records: int = MAX_RECORDS
) -> SPFNetworks:
    """Walk `domain`'s SPF tree and collect the networks a pass there authorises."""
    tree = await spf_tree(resolver, domain, max_records=max_records)
    networks: list[Network] = []
    unlisted = 0
    for node in _passing(tree.root):
        if not node.record:
            continue
        try:
            record = parse_record(node.record)
        except SPFSyntaxError:
            continue
        for term in record.mechanisms:
            if term.qualifier != "+":
                continue
            if term.kind in ("ip4", "ip6") and term.network is not None:
                networks.append(term.network)
            elif term.kind in ("a", "mx", "exists", "ptr"):
                unlisted += 1
    return SPFNetworks(tree.domain, tree.result, tuple(dict.fromkeys(networks)), unlisted)


def _passing(root: SPFNode) -> Iterator[SPFNode]:
    """The nodes whose pass is a pass of the root (every link on the way passes)."""
    stack: list[SPFNode] = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in node.children if child.passes_parent)


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An IPv4 or IPv6 address; ValueError with a reason otherwise."""
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise ValueError("must be an IPv4 or IPv6 address such as 192.0.2.1") from None


def networks_holding(
    found: Iterable[SPFNetworks], address: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> list[tuple[SPFNetworks, Network]]:
    """Each domain whose networks hold `address`, with the narrowest such network."""
    return [(item, net) for item in found if (net := item.covering(address)) is not None]
