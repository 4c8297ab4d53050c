"""What a check runs against: the vendor (as data), its chosen method and the cleaned parameters.

Every front end validates a check here, once: `check_setup` picks the method
(the requested kind, else `default_method`) and cleans the parameters with
the one set of rules in `specs.validate_parameters`, reporting every problem
at once. The result is handed to `check_domain`/`check_many` as is, so the
method is never picked again. `best_first` is the one ordering of a vendor's
methods, used by the checker, the forms and the vendor pages alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .specs import MethodSpec, validate_parameters


class UnknownMethod(ValueError):
    """The vendor has no setup method of the requested kind."""


def method_rank(*, recommended: bool, order: int | None, position: int) -> tuple[Any, ...]:
    """Sort key of a setup method, best first: recommended, then by `order`, then as listed.

    A method without an `order` comes after every method that has one.
    """
    return (not recommended, order is None, order or 0, position)


def best_first[T](methods: Iterable[T]) -> list[T]:
    """A vendor's methods (catalog-shaped mappings) in the order people should try them."""
    ranked = [
        (
            method_rank(
                recommended=bool(method.get("recommended")),  # type: ignore[attr-defined]
                order=method.get("order"),  # type: ignore[attr-defined]
                position=position,
            ),
            method,
        )
        for position, method in enumerate(methods)
    ]
    return [method for _rank, method in sorted(ranked, key=lambda pair: pair[0])]


def default_method(vendor: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The method a check uses when none is asked for: the best one, if the vendor has any."""
    methods = best_first(vendor.get("methods") or [])
    return methods[0] if methods else None


def pick_method(vendor: Mapping[str, Any] | None, kind: str | None) -> MethodSpec | None:
    """The vendor's method of `kind`, or its default method; UnknownMethod when there is none."""
    if vendor is None:
        if kind:
            raise UnknownMethod("choose a vendor to check one of its setup methods")
        return None
    methods = list(vendor.get("methods") or [])
    if kind:
        for method in methods:
            if method.get("kind") == kind:
                return MethodSpec.from_dict(method)
        kinds = ", ".join(str(m.get("kind")) for m in best_first(methods)) or "none"
        who = vendor.get("name") or vendor.get("slug") or "the vendor"
        raise UnknownMethod(f"{who} has no '{kind}' setup method; choose one of: {kinds}")
    chosen = default_method(vendor)
    return MethodSpec.from_dict(chosen) if chosen is not None else None


@dataclass(frozen=True)
class CheckSetup:
    """A vendor, its chosen method and cleaned parameters: ready to check any domain."""

    vendor: Mapping[str, Any] | None = None  # catalog-shaped, as looked up by the caller
    method: MethodSpec | None = None
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def vendor_slug(self) -> str:
        """The vendor's slug, or "" for a check without a vendor."""
        return str(self.vendor["slug"]) if self.vendor else ""

    @property
    def vendor_name(self) -> str:
        """The vendor's name (its slug when it has none), or ""."""
        return str(self.vendor.get("name") or self.vendor["slug"]) if self.vendor else ""

    @property
    def method_kind(self) -> str:
        """The chosen method's kind, or ""."""
        return self.method.kind if self.method else ""


def check_setup(
    vendor: Mapping[str, Any] | None,
    method_kind: str | None = None,
    params: Mapping[str, str] | None = None,
) -> CheckSetup:
    """Pick the method once and clean the parameters.

    Raises UnknownMethod, or InvalidParameter listing every parameter problem.
    """
    method = pick_method(vendor, method_kind or None)
    cleaned = validate_parameters(method, params or {}) if method is not None else {}
    return CheckSetup(vendor=vendor, method=method, params=cleaned)
