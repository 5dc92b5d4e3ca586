"""The one-way stack: no module imports from a layer above its own, and no cycles.

Read from the source with ``ast`` (nothing is imported), counting imports made
inside functions and under ``TYPE_CHECKING`` too: an import that only a type checker
sees still ties the two modules together for a reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "cxmetrics"

# Bottom to top. A module may import from its own layer or any layer below.
# The key is a module or package prefix; the longest matching prefix decides.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "core",
        (
            "cxmetrics._version",
            "cxmetrics._optional",
            "cxmetrics.exceptions",
            "cxmetrics.stats",
            "cxmetrics.definitions",
            "cxmetrics.registry",
            "cxmetrics.core",
        ),
    ),
    ("models", ("cxmetrics.models", "cxmetrics.calendars")),
    ("tables", ("cxmetrics.tables",)),
    ("io", ("cxmetrics.io", "cxmetrics.datasets")),
    ("kernels", ("cxmetrics.tickets", "cxmetrics.staffing")),
    ("metrics", ("cxmetrics.metrics",)),
    ("sla", ("cxmetrics.sla",)),
    ("analysis", ("cxmetrics.planning", "cxmetrics.insight")),
    ("reporting", ("cxmetrics.reporting", "cxmetrics.plot")),
    ("engines", ("cxmetrics.engines",)),
    ("cli", ("cxmetrics.cli", "cxmetrics.__main__", "cxmetrics")),
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}
# Layers side by side that must not import each other either.
INDEPENDENT = {
    ("cxmetrics.models", "cxmetrics.calendars"),
    ("cxmetrics.io", "cxmetrics.datasets"),
    ("cxmetrics.planning", "cxmetrics.insight"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    best = max(
        (
            (prefix, name)
            for name, prefixes in LAYERS
            for prefix in prefixes
            if module == prefix or module.startswith(prefix + ".")
        ),
        key=lambda pair: len(pair[0]),
    )
    return best[1]


def owner(target: str) -> str | None:
    """The module of ours that an import of ``target`` loads (``None`` if not ours)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def imports(module: str) -> Iterator[tuple[int, str]]:
    """``(line, imported module)`` for every import in ``module``, at any depth."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    yield from imports_in(path.read_text(encoding="utf-8"), module, package)


def _names_a_loader(func: ast.expr) -> bool:
    """``importlib.import_module``, ``import_module`` or ``__import__``."""
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("import_module", "__import__")


def imports_in(source: str, module: str, package: str) -> Iterator[tuple[int, str]]:
    """``(line, imported module of ours)`` for every import statement in ``source``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _names_a_loader(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                ours = owner(first.value)
                if ours is not None and ours != module:
                    yield node.lineno, ours
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in MODULES else base for t in targets]
        else:
            continue
        for target in targets:
            ours = owner(target)
            if ours is not None and ours != module and ours.startswith("cxmetrics"):
                yield node.lineno, ours


GRAPH = {module: sorted({target for _, target in imports(module)}) for module in MODULES}


def test_every_module_has_a_layer() -> None:
    # The root package is the catch-all of the top layer; any other module that
    # falls through to it was added without being given a layer.
    named = {prefix for _, prefixes in LAYERS for prefix in prefixes} - {"cxmetrics"}
    unplaced = [
        module
        for module in MODULES
        if module != "cxmetrics"
        and not any(module == p or module.startswith(p + ".") for p in named)
    ]
    assert not unplaced, f"modules without a layer in LAYERS: {unplaced}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_upward_import(module: str) -> None:
    here = RANK[layer_of(module)]
    upward = [
        f"{MODULES[module].relative_to(SRC)}:{line} imports {target} "
        f"({layer_of(module)} -> {layer_of(target)})"
        for line, target in imports(module)
        if RANK[layer_of(target)] > here
    ]
    assert not upward, "\n".join(upward)


@pytest.mark.parametrize(("left", "right"), sorted(INDEPENDENT))
def test_side_by_side_layers_stay_apart(left: str, right: str) -> None:
    def within(module: str, prefix: str) -> bool:
        return module == prefix or module.startswith(prefix + ".")

    crossing = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if (within(module, left) and within(target, right))
        or (within(module, right) and within(target, left))
    ]
    assert not crossing, "\n".join(crossing)


def test_no_import_cycle() -> None:
    # Tarjan's strongly connected components; a package importing its own
    # submodules (``__init__`` re-exports) is the one loop allowed.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def edges(module: str) -> list[str]:
        return [t for t in GRAPH[module] if not t.startswith(module + ".")]

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in MODULES:
        if module not in index:
            visit(module)
    assert not cycles, "\n".join(" <-> ".join(c) for c in cycles)


def test_the_checker_sees_every_kind_of_import() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import cxmetrics.stats\n"
        "if TYPE_CHECKING:\n"
        "    from cxmetrics.core.base import Metric\n"
        "def f():\n"
        "    from cxmetrics.reporting import report\n"
        "    from ..sla import policy\n"
        "    from . import calls\n"
        "    importlib.import_module('cxmetrics.sla')\n"
    )
    found = sorted(
        target for _, target in imports_in(source, "cxmetrics.tables.x", "cxmetrics.tables")
    )
    assert found == sorted(
        [
            "cxmetrics.stats",
            "cxmetrics.core.base",
            "cxmetrics.reporting",
            "cxmetrics.sla.policy",
            "cxmetrics.tables.calls",
            "cxmetrics.sla",
        ]
    )
    assert layer_of("cxmetrics.tables.calls") == "tables"
    assert layer_of("cxmetrics.reporting.build") == "reporting"
    assert layer_of("cxmetrics") == "cli"
