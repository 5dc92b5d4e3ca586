"""The public surface speaks one language: explicit keywords, one error tree, every metric covered."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cxmetrics
from cxmetrics import available_metrics, get_metric
from cxmetrics.core.base import Metric

from .metrics.contract import MetricContract

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = (
    "cxmetrics",
    "cxmetrics.calendars",
    "cxmetrics.datasets",
    "cxmetrics.io",
    "cxmetrics.planning",
    "cxmetrics.reporting",
    "cxmetrics.sla",
    "cxmetrics.staffing",
    "cxmetrics.stats",
    "cxmetrics.tickets",
)


def public_callables() -> list[tuple[str, Any]]:
    found: dict[int, tuple[str, Any]] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if callable(value) and not isinstance(value, type(cxmetrics)):
                found.setdefault(id(value), (f"{module_name}.{name}", value))
    return sorted(found.values(), key=lambda pair: pair[0])


CALLABLES = public_callables()


@pytest.mark.parametrize(("name", "value"), CALLABLES, ids=[name for name, _ in CALLABLES])
def test_no_public_callable_takes_bare_keywords(name: str, value: Any) -> None:
    if not (inspect.isfunction(value) or inspect.isclass(value)):
        return  # type aliases (Interaction, Period)
    if isinstance(value, type) and issubclass(value, BaseException):
        return  # exception classes take a message
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):  # a builtin without a signature
        return
    kinds = [p.kind for p in signature.parameters.values()]
    assert inspect.Parameter.VAR_KEYWORD not in kinds, f"{name}{signature}"


def test_metric_classes_show_their_parameters() -> None:
    for metric_name in available_metrics():
        cls = get_metric(metric_name)  # built-in and users' own alike
        shown = set(inspect.signature(cls).parameters)
        assert shown == set(cls.Params.model_fields), cls.__name__


def test_mypy_flags_a_misspelt_keyword(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    script = tmp_path / "user_script.py"
    script.write_text(
        "import cxmetrics\n"
        "cxmetrics.fcr_rate([], definitons='zendesk')\n"
        "cxmetrics.first_response_time([], statistic='median')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    assert 'Unexpected keyword argument "definitons"' in result.stdout
    assert result.stdout.count("error:") == 1, result.stdout


def _contract_metrics() -> set[type[Metric[Any, Any]]]:
    import tests.metrics
    import tests.sla

    for package in (tests.metrics, tests.sla):
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("test_"):
                importlib.import_module(f"{package.__name__}.{info.name}")
    covered: set[type[Metric[Any, Any]]] = set()
    pending: list[type] = [MetricContract]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        metric_cls = getattr(cls, "metric_cls", None)
        if metric_cls is not None:
            covered.add(metric_cls)
    return covered


def test_every_registered_metric_has_a_contract_test() -> None:
    covered = _contract_metrics()
    built_in = [n for n in available_metrics() if get_metric(n).__module__.startswith("cxmetrics.")]
    missing = sorted(n for n in built_in if get_metric(n) not in covered)
    assert not missing, f"metrics without a MetricContract test: {missing}"


def test_every_registered_metric_has_a_docs_entry() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    missing = [
        name
        for name in available_metrics()
        if get_metric(name).__module__.startswith("cxmetrics.")
        and not re.search(rf"`{re.escape(get_metric(name).__name__)}[`(]", docs)
    ]
    assert not missing, f"metrics whose class no page of docs/ names: {missing}"


def test_report_is_the_function_and_register_is_public() -> None:
    assert inspect.isfunction(cxmetrics.report)
    assert cxmetrics.register is importlib.import_module("cxmetrics.registry").register
