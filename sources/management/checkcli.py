"""What the checker's management commands share: argument parsing and the catalog source.

Bad input ends with `BadInput(...)`, a CommandError (exit status 2 and a one-line message on
stderr). The catalog comes from the database when it has one, else from
the catalog files, so `check_domain` without --vendor works on a machine
with no database at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connection

from sources.catalogknowledge import CatalogKnowledge
from sources.checker import Resolver
from sources.selectors import catalog_knowledge, catalog_knowledge_from_files
from sources.services.checks import (
    UnknownVendor,
    check_resolver,
    validate_nameserver,
    vendor_file_data,
    vendor_lookup_data,
)

EXIT_PASS, EXIT_NOT_PASS, EXIT_BAD_INPUT = 0, 1, 2


def BadInput(message: str) -> CommandError:  # noqa: N802 - reads like the exception it makes
    """Input the command cannot use: exit status 2, and the message on one line."""
    return CommandError(" ".join(message.split()), returncode=EXIT_BAD_INPUT)


def add_resolver_arguments(parser) -> None:
    parser.add_argument(
        "--nameserver",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="Name server to ask (repeatable); default: CHECKER_NAMESERVERS or the system's.",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="Seconds to wait for each DNS answer (default: CHECKER_TIMEOUT).",
    )


def add_vendor_arguments(parser, *, vendor_required: bool = False) -> None:
    parser.add_argument("--vendor", metavar="SLUG", required=vendor_required, help="Vendor slug.")
    parser.add_argument("--method", metavar="KIND", help="Setup method kind (default: the best).")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="A value from your vendor account used in its records (repeatable).",
    )


def parse_params(items: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise BadInput(f"--param must be NAME=VALUE, not {item!r}")
        params[name.strip()] = value.strip()
    return params


def resolver_factory(options: Mapping[str, Any]) -> Callable[[], Resolver]:
    """A factory of resolvers configured by --nameserver and --timeout."""
    servers = []
    for text in options.get("nameserver") or []:
        try:
            servers.append(validate_nameserver(text))
        except ValueError as exc:
            raise BadInput(f"bad --nameserver {text!r}: {exc}") from None
    timeout = options.get("timeout")
    if timeout is not None and not 0 < timeout <= 60:
        raise BadInput("--timeout must be more than 0 and at most 60 seconds")
    budget = settings.CHECK_TIME_BUDGET
    return lambda: check_resolver(nameservers=servers or None, timeout=timeout, time_budget=budget)


def _database_has_catalog() -> bool:
    name = str(settings.DATABASES["default"].get("NAME") or "")
    if connection.vendor == "sqlite" and not (
        name.startswith(("file:", ":memory:")) or Path(name).exists()
    ):
        return False  # do not create an empty database file just to look
    try:
        from sources.models import Vendor

        return Vendor.objects.exists()
    except DatabaseError:
        return False


def database_has_catalog() -> bool:
    """True when there is a database holding the catalog (else the command uses the files)."""
    return _database_has_catalog()


def vendor_loader(text: str) -> Mapping[str, Any]:
    """A vendor from the database, or from the catalog files when there is no database."""
    if _database_has_catalog():
        return vendor_lookup_data(text)
    try:
        return vendor_file_data(text.strip().lower())
    except UnknownVendor:
        raise UnknownVendor(
            f"no vendor '{text}' in the catalog files (and no database with a catalog)"
        ) from None


def catalog() -> CatalogKnowledge:
    """What a generic report matches against, from the database or the files."""
    if _database_has_catalog():
        return catalog_knowledge()
    return catalog_knowledge_from_files()
