"""No import circles among sources/ modules, lazy imports included; selectors import no services.

Every module is imported for real (importlib), so a module that cannot be
imported on its own fails here too; the graph is read from each module's
source (ast), function-level imports included, because a lazy import only
hides a circle: it does not remove it.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "sources"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    modules = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        modules[module_name(path)] = path
    return modules


MODULES = all_modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST):
    """Import statements anywhere in the module except under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _owning_module(name: str) -> str | None:
    """The sources module `name` is, or lives in (`sources.x.func` -> `sources.x`)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_in(source: str, *, name: str, is_package: bool = False) -> set[str]:
    """The sources modules that `source` (module `name`) imports, relative imports resolved."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_imports(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the submodule; `from mod import func`, the module.
            targets = [f"{base}.{alias.name}" for alias in node.names]
            if not all(target in MODULES for target in targets):
                targets.append(base)
        for target in targets:
            owner = _owning_module(target)
            if owner is not None and owner != name:
                found.add(owner)
    # Importing a package's __init__ is not a dependency on what it contains.
    return {m for m in found if MODULES[m].name != "__init__.py" or m == PACKAGE}


def imports_of(name: str) -> set[str]:
    path = MODULES[name]
    return imports_in(path.read_text(), name=name, is_package=path.name == "__init__.py")


def import_graph() -> dict[str, set[str]]:
    return {name: imports_of(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module, or with a self-loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports_on_its_own(name):
    assert importlib.import_module(name).__name__ == name


def test_there_is_no_import_circle_among_sources_modules():
    assert cycles(import_graph()) == []


def test_selectors_import_no_services():
    services = {m for m in imports_of("sources.selectors") if m.startswith("sources.services")}
    assert services == set()


def test_the_graph_sees_lazy_and_relative_imports_but_not_type_checking_ones():
    """The circle check would pass vacuously if the graph missed edges: prove they are seen."""
    source = """
from typing import TYPE_CHECKING
from . import dns
from .domains import normalise_domain
if TYPE_CHECKING:
    from sources.models import Vendor

def later():
    from sources.services.notifications import send_safely
    import sources.ratelimit
"""
    assert imports_in(source, name="sources.checker.example") == {
        "sources.checker.dns",
        "sources.checker.domains",
        "sources.services.notifications",
        "sources.ratelimit",
    }


def test_the_circle_finder_finds_circles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"a"}}) == [["a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_old_task_circle_would_be_caught():
    """services -> sources.tasks -> services, the circle this test was written for."""
    graph = import_graph()
    graph["sources.services.notifications"] = graph["sources.services.notifications"] | {
        "sources.tasks"
    }
    assert ["sources.services.notifications", "sources.tasks"] in cycles(graph)
