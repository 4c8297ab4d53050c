"""RFC 7208 check_host(): is this IP address allowed to send for this domain?

Evaluation follows the RFC's order (terms left to right, first match wins)
and its limits: 10 DNS-querying terms, 2 void lookups, 10 MX names, 10 PTR
names. To save round trips, the lookups a record will need are started as
soon as the record is parsed and then consumed in order; the Resolver's
cache and in-flight sharing make that free of duplicate queries, and only
terms within the lookup limit are started early.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .dns import Answer, Resolver
from .spf_macros import as_ascii, as_query_name, domain_problem, dotted_ip, transform
from .spf_syntax import (
    Macro,
    MacroString,
    Mechanism,
    SPFRecord,
    SPFSyntaxError,
    is_spf_record,
    parse_macro_string,
    parse_record,
)

ResultWord = Literal["pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"]

MAX_LOOKUP_TERMS = 10
MAX_VOID_LOOKUPS = 2
MAX_MX_NAMES = 10
MAX_PTR_NAMES = 10
DEFAULT_TIME_LIMIT = 20.0  # seconds; section 4.6.4 asks for at least 20

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class SPFResult:
    """The outcome of check_host()."""

    result: ResultWord
    domain: str
    explanation: str = ""  # from exp=, only for "fail"
    reason: str = ""  # what decided the result, for people
    mechanism: str | None = None  # the matching term, if one matched
    lookups: int = 0  # DNS-querying terms evaluated
    void_lookups: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


class _Abort(Exception):
    """Ends the evaluation with permerror or temperror."""

    def __init__(self, result: ResultWord, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


@dataclass(frozen=True)
class _Outcome:
    result: ResultWord
    domain: str
    reason: str
    mechanism: str | None = None
    record: SPFRecord | None = None  # whose exp= explains a "fail"


def parse_ip(text: str) -> IPAddress:
    """The client address; IPv4-mapped IPv6 addresses count as IPv4 (section 5)."""
    address = ipaddress.ip_address(text.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class _Evaluation:
    def __init__(
        self, resolver: Resolver, ip: IPAddress, ip_text: str, sender: str, helo: str, receiver: str
    ) -> None:
        self.resolver = resolver
        self.ip = ip
        self.ip_text = ip_text
        self.sender = sender
        self.local, _, self.sender_domain = sender.rpartition("@")
        self.helo = helo
        self.receiver = receiver
        self.lookups = 0
        self.void = 0
        self._validated: dict[str, asyncio.Task[str]] = {}
        self._prefetched: list[asyncio.Future[Answer]] = []

    # -- limits ------------------------------------------------------------

    def count_lookup(self, term: str) -> None:
        self.lookups += 1
        if self.lookups > MAX_LOOKUP_TERMS:
            raise _Abort(
                "permerror", f"more than {MAX_LOOKUP_TERMS} DNS-querying terms (reached at {term})"
            )

    def note(self, answer: Answer, term: str) -> bool:
        """Classify an answer for a term: True if it has records, False if void."""
        if answer.is_retryable:
            raise _Abort("temperror", f"{term}: DNS {answer.status} for {answer.name}")
        if answer.ok:
            return True
        self.void += 1
        if self.void > MAX_VOID_LOOKUPS:
            raise _Abort(
                "permerror", f"more than {MAX_VOID_LOOKUPS} void lookups (reached at {term})"
            )
        return False

    # -- records -------------------------------------------------------------

    async def check(self, domain: str) -> _Outcome:
        problem = domain_problem(domain)
        if problem:
            return _Outcome("none", domain, f"{domain!r} is not a valid domain: {problem}")
        answer = await self.resolver.query(domain, "TXT")
        if answer.is_retryable:
            raise _Abort("temperror", f"TXT lookup for {domain}: {answer.status} {answer.reason}")
        texts = [text for text in answer.records if is_spf_record(text)]
        if not texts:
            return _Outcome("none", domain, f"no SPF record at {domain}")
        if len(texts) > 1:
            raise _Abort("permerror", f"{domain} has {len(texts)} SPF records; one is allowed")
        try:
            record = parse_record(texts[0])
        except SPFSyntaxError as exc:
            raise _Abort(
                "permerror",
                f"syntax error in the SPF record of {domain} at character {exc.position}: "
                f"{exc.reason}",
            ) from None
        self._prefetch(record, domain)
        for mechanism in record.mechanisms:
            if mechanism.costs_lookup:
                self.count_lookup(mechanism.text)
            if await self._matches(mechanism, domain):
                return _Outcome(
                    mechanism.result,
                    domain,
                    f"{mechanism.text} matched in the SPF record of {domain}",
                    mechanism.text,
                    record,
                )
        if record.redirect_used:
            assert record.redirect is not None and record.redirect.target is not None
            term = f"redirect={record.redirect.value}"
            self.count_lookup(term)
            target = await self.expand_domain(record.redirect.target, domain)
            if target is None:
                raise _Abort("permerror", f"{term} does not give a valid domain")
            outcome = await self.check(target)
            if outcome.result == "none":
                raise _Abort("permerror", f"{term}: {outcome.reason}")
            return outcome
        return _Outcome("neutral", domain, f"no mechanism matched in the SPF record of {domain}")

    def _prefetch(self, record: SPFRecord, domain: str) -> None:
        budget = MAX_LOOKUP_TERMS - self.lookups
        wanted: list[tuple[MacroString | None, str]] = []
        for mechanism in record.mechanisms:
            if not mechanism.costs_lookup or mechanism.kind == "ptr":
                continue
            rdtype = {"include": "TXT", "mx": "MX", "exists": "A"}.get(mechanism.kind)
            wanted.append((mechanism.target, rdtype or self._address_type))
        if record.redirect_used and record.redirect is not None:
            wanted.append((record.redirect.target, "TXT"))
        for target, rdtype in wanted[: max(budget, 0)]:
            if target is not None and any(
                isinstance(token, Macro) and token.letter == "p" for token in target
            ):
                continue
            name = self._expand_now(target, domain) if target is not None else domain
            if name is not None:
                self._prefetched.append(asyncio.ensure_future(self.resolver.query(name, rdtype)))

    @property
    def _address_type(self) -> str:
        return "A" if self.ip.version == 4 else "AAAA"

    # -- mechanisms ------------------------------------------------------------

    async def _matches(self, mechanism: Mechanism, domain: str) -> bool:
        kind = mechanism.kind
        if kind == "all":
            return True
        if kind in ("ip4", "ip6"):
            network = mechanism.network
            return network is not None and self.ip.version == network.version and self.ip in network
        target = domain
        if mechanism.target is not None:
            expanded = await self.expand_domain(mechanism.target, domain)
            if expanded is None:
                if kind == "include":
                    raise _Abort("permerror", f"{mechanism.text}: the target is not a valid domain")
                # A name that cannot be sent to the DNS matches nothing, by
                # analogy with section 4.3 (the RFC leaves this open).
                return False
            target = expanded
        if kind == "include":
            return await self._include(mechanism, target)
        if kind == "a":
            return await self._address_match(target, mechanism, mechanism.text)
        if kind == "mx":
            return await self._mx(target, mechanism)
        if kind == "exists":
            answer = await self.resolver.query(target, "A")
            return self.note(answer, mechanism.text)
        return await self._ptr(target, mechanism)

    async def _include(self, mechanism: Mechanism, target: str) -> bool:
        outcome = await self.check(target)
        if outcome.result == "none":
            raise _Abort("permerror", f"{mechanism.text}: {outcome.reason}")
        return outcome.result == "pass"

    async def _address_match(self, name: str, mechanism: Mechanism, term: str) -> bool:
        answer = await self.resolver.query(name, self._address_type)
        if not self.note(answer, term):
            return False
        return self._in_any(answer.records, mechanism)

    def _in_any(self, addresses: tuple[str, ...], mechanism: Mechanism) -> bool:
        prefix = mechanism.cidr4 if self.ip.version == 4 else mechanism.cidr6
        for text in addresses:
            try:
                network = ipaddress.ip_network(f"{text}/{prefix}", strict=False)
            except ValueError:
                continue
            if network.version == self.ip.version and self.ip in network:
                return True
        return False

    async def _mx(self, target: str, mechanism: Mechanism) -> bool:
        answer = await self.resolver.query(target, "MX")
        if not self.note(answer, mechanism.text):
            return False
        if len(answer.records) > MAX_MX_NAMES:
            raise _Abort(
                "permerror",
                f"{mechanism.text}: {target} has {len(answer.records)} MX records, "
                f"over the limit of {MAX_MX_NAMES}",
            )
        hosts = [record.split(" ", 1)[1] for record in answer.records]
        hosts = [host for host in hosts if host != "."]  # a null MX (RFC 7505) names no host
        answers = await asyncio.gather(
            *(self.resolver.query(host, self._address_type) for host in hosts)
        )
        for host_answer in answers:
            if host_answer.is_retryable:
                raise _Abort(
                    "temperror",
                    f"{mechanism.text}: DNS {host_answer.status} for {host_answer.name}",
                )
            if host_answer.ok and self._in_any(host_answer.records, mechanism):
                return True
        return False

    async def _validated_names(self) -> list[str]:
        """Names from the PTR records of the IP whose addresses include the IP (5.5)."""
        reverse = self.ip.reverse_pointer
        answer = await self.resolver.query(reverse, "PTR")
        if not answer.ok:
            return []
        names = [name for name in answer.records[:MAX_PTR_NAMES] if domain_problem(name) is None]
        answers = await asyncio.gather(
            *(self.resolver.query(name, self._address_type) for name in names)
        )
        validated = []
        for name, name_answer in zip(names, answers, strict=True):
            # A failed lookup just skips the name (section 5.5).
            if name_answer.ok and str(self.ip) in {
                str(ipaddress.ip_address(a)) for a in name_answer.records if _is_ip(a)
            }:
                validated.append(name)
        return validated

    async def _ptr(self, target: str, mechanism: Mechanism) -> bool:
        answer = await self.resolver.query(self.ip.reverse_pointer, "PTR")
        if answer.is_missing:
            self.note(answer, mechanism.text)
        if not answer.ok:
            return False  # DNS errors make ptr not match (section 5.5)
        wanted = target.rstrip(".").lower()
        for name in await self._validated_names():
            if name == wanted or name.endswith("." + wanted):
                return True
        return False

    # -- macros (section 7) ------------------------------------------------------

    async def expand_domain(self, tokens: MacroString, domain: str) -> str | None:
        """Expand a domain-spec; None when the result cannot be a query name."""
        text = await self.expand(tokens, domain)
        return as_query_name(text)

    def _expand_now(self, tokens: MacroString, domain: str) -> str | None:
        text = "".join(
            token if isinstance(token, str) else self._macro(token, domain, "") for token in tokens
        )
        return as_query_name(text)

    async def expand(self, tokens: MacroString, domain: str) -> str:
        """Expand macro text for the current domain."""
        validated = ""
        if any(isinstance(token, Macro) and token.letter == "p" for token in tokens):
            validated = await self._p_value(domain)
        return "".join(
            token if isinstance(token, str) else self._macro(token, domain, validated)
            for token in tokens
        )

    async def _p_value(self, domain: str) -> str:
        task = self._validated.get(domain)
        if task is None:
            task = asyncio.ensure_future(self._choose_validated(domain))
            self._validated[domain] = task
        return await task

    async def _choose_validated(self, domain: str) -> str:
        names = await self._validated_names()
        wanted = domain.lower()
        for name in names:
            if name == wanted:
                return name
        for name in names:
            if name.endswith("." + wanted):
                return name
        return names[0] if names else "unknown"

    def _macro(self, macro: Macro, domain: str, validated: str) -> str:
        return transform(macro, self._letter_value(macro.letter, domain, validated))

    def _letter_value(self, letter: str, domain: str, validated: str) -> str:
        if letter == "s":
            return self.sender
        if letter == "l":
            return self.local
        if letter == "o":
            return self.sender_domain
        if letter == "d":
            return domain
        if letter == "i":
            return dotted_ip(self.ip, self.ip_text)
        if letter == "p":
            return validated or "unknown"
        if letter == "v":
            return "in-addr" if self.ip.version == 4 else "ip6"
        if letter == "h":
            return self.helo
        if letter == "c":
            return str(self.ip)
        if letter == "r":
            return self.receiver
        return str(int(time.time()))  # "t"

    # -- explanation (section 6.2) ------------------------------------------------

    async def explanation(self, outcome: _Outcome) -> str:
        record = outcome.record
        if record is None or record.exp is None or record.exp.target is None:
            return ""
        name = await self.expand_domain(record.exp.target, outcome.domain)
        if name is None:
            return ""
        answer = await self.resolver.query(name, "TXT")
        # Anything but exactly one TXT record means: as if there were no exp=.
        if not answer.ok or len(answer.records) != 1 or not answer.records[0].isascii():
            return ""
        try:
            tokens = parse_macro_string(answer.records[0], explanation=True)
        except SPFSyntaxError:
            return ""
        return await self.expand(tokens, outcome.domain)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def split_sender(sender: str, helo: str) -> tuple[str, str]:
    """(full sender, its domain): an empty sender is postmaster@helo (section 2.4)."""
    sender = sender.strip()
    if not sender:
        return f"postmaster@{helo}", helo
    local, at, domain = sender.rpartition("@")
    if not at:
        domain, local = sender, ""
    return f"{local or 'postmaster'}@{domain}", domain


async def check_host(
    resolver: Resolver,
    ip: str,
    domain: str | None,
    sender: str,
    helo: str = "",
    *,
    receiver: str = "unknown",
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> SPFResult:
    """Evaluate SPF for `ip` sending as `sender` on behalf of `domain` (RFC 7208 section 4).

    `domain` None or "" means the sender's domain (or the HELO name when the
    sender is empty). Raises ValueError only for an `ip` that is not an address.
    """
    address = parse_ip(ip)
    full_sender, sender_domain = split_sender(sender, helo)
    target = (domain or sender_domain).strip()
    target = target[:-1] if target.endswith(".") else target
    ascii_target = as_ascii(target)
    evaluation = _Evaluation(resolver, address, ip.strip(), full_sender, helo, receiver)
    if ascii_target is None:
        return SPFResult("none", target, reason=f"{target!r} is not a valid domain")
    try:
        async with asyncio.timeout(time_limit):
            outcome = await evaluation.check(ascii_target)
            explanation = await evaluation.explanation(outcome) if outcome.result == "fail" else ""
    except _Abort as abort:
        return SPFResult(
            abort.result,
            ascii_target,
            reason=abort.reason,
            lookups=evaluation.lookups,
            void_lookups=evaluation.void,
        )
    except TimeoutError:
        return SPFResult(
            "temperror",
            ascii_target,
            reason=f"SPF evaluation took longer than {time_limit:g} seconds",
            lookups=evaluation.lookups,
            void_lookups=evaluation.void,
        )
    return SPFResult(
        outcome.result,
        outcome.domain if outcome.result != "none" else ascii_target,
        explanation,
        outcome.reason,
        outcome.mechanism,
        evaluation.lookups,
        evaluation.void,
    )


async def check_mail_from(
    resolver: Resolver, ip: str, sender: str, helo: str, **options: Any
) -> SPFResult:
    """check_host() for the MAIL FROM identity, falling back to HELO for bounces."""
    return await check_host(resolver, ip, None, sender, helo, **options)
