"""The API reference builds: ``mkdocs build --strict`` over docs/ and the docstrings.

Strict mode turns every warning into a failure: a docstring parameter that is not in
the signature, a badly formatted numpydoc section, a cross-reference or a link that
leads nowhere. The pages of docs/api/ list the members of each public module; they
are checked against the modules' ``__all__`` so that a new public name shows up in
the reference.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
API = REPO / "docs" / "api"

# page of docs/api/ -> the module it documents
PAGES = {
    "cxmetrics": "cxmetrics",
    "io": "cxmetrics.io",
    "sla": "cxmetrics.sla",
    "calendars": "cxmetrics.calendars",
    "staffing": "cxmetrics.staffing",
    "planning": "cxmetrics.planning",
    "datasets": "cxmetrics.datasets",
    "reporting": "cxmetrics.reporting",
    "insight": "cxmetrics.insight",
    "stats": "cxmetrics.stats",
    "tickets": "cxmetrics.tickets",
    "exceptions": "cxmetrics.exceptions",
    "definitions": "cxmetrics.definitions",
}
DIRECTIVE = re.compile(r"^::: ([\w.]+)$", re.MULTILINE)
MEMBER = re.compile(r"^ {8}- (\w+)$", re.MULTILINE)


def _resolve(path: str) -> object:
    """The object a ``::: path`` block renders."""
    module_name, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def _documented(page: str, module_name: str) -> set[str]:
    """Public names of the module that the page renders.

    The ``members`` list of the ``::: module`` block, every ``::: path.to.Name`` block
    that renders the object the module exports as ``Name``, and submodules that have a
    page of their own.
    """
    module = importlib.import_module(module_name)
    text = (API / f"{page}.md").read_text(encoding="utf-8")
    names = set(MEMBER.findall(text))
    for target in DIRECTIVE.findall(text):
        if target == module_name:
            continue
        name = target.rpartition(".")[2]
        assert _resolve(target) is getattr(module, name, None), (
            f"docs/api/{page}.md: {target} is not {module_name}.{name}"
        )
        names.add(name)
    for name in module.__all__:
        if isinstance(getattr(module, name), types.ModuleType):
            assert getattr(module, name).__name__ in PAGES.values(), f"no page for {name}"
            names.add(name)
    return names


@pytest.mark.parametrize("page", sorted(PAGES))
def test_api_page_lists_the_public_names(page: str) -> None:
    module = importlib.import_module(PAGES[page])
    public = {name for name in module.__all__ if not name.startswith("_")}
    documented = _documented(page, PAGES[page])
    assert documented == public, (
        f"docs/api/{page}.md and {PAGES[page]}.__all__ differ: "
        f"missing {sorted(public - documented)}, extra {sorted(documented - public)}"
    )


def test_api_reference_builds_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    site = tmp_path / "site"
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    top = (site / "api" / "cxmetrics" / "index.html").read_text(encoding="utf-8")
    for anchor in ("fcr_rate", "report", "BusinessCalendar", "SlaPolicy", "metrics.csat.csat"):
        assert f'id="cxmetrics.{anchor}"' in top, f"no entry for cxmetrics.{anchor}"
    io_page = (site / "api" / "io" / "index.html").read_text(encoding="utf-8")
    assert 'id="cxmetrics.io.read_csv"' in io_page
