"""A report folded in parts and merged equals the report over the whole input.

The parts are cut as the engines cut them (tickets and calls by customer, the other
tables by rows); the merge order is free (a tree, a running total, reversed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.datasets import SyntheticData, generate
from cxmetrics.reporting import report
from cxmetrics.reporting.build import finish_report, fold_report, plan_report
from cxmetrics.reporting.grouping import subset
from cxmetrics.reporting.inputs import normalise
from cxmetrics.reporting.parts import merge_parts

from tests.reporting.equality import assert_same_report, settings_of

KINDS = ("tickets", "surveys", "calls", "customers")


@pytest.fixture(scope="module")
def data() -> SyntheticData:
    return generate(600, seed=5)


def _customer_codes(kind: str, table: Any) -> np.ndarray[Any, Any]:
    if kind == "tickets":
        column = table.customer_id
        return np.asarray(column.codes, dtype=np.int64)
    values = np.asarray(table["customer_id"]).astype(str)
    return np.unique(values, return_inverse=True)[1].ravel()


def partitions(data: SyntheticData, kind: str, k: int) -> list[Any]:
    """The ``kind`` input in ``k`` parts: by customer for tickets and calls, else by rows."""
    whole = normalise(kind, getattr(data, kind))
    n = len(whole)
    owner = _customer_codes(kind, whole) % k if kind in ("tickets", "calls") else np.arange(n) % k
    return [subset(kind, whole, np.flatnonzero(owner == i)) for i in range(k)]


def whole_report(data: SyntheticData) -> Any:
    return report(**{kind: getattr(data, kind) for kind in KINDS}, **settings_of(data))


@given(k=st.integers(1, 5), order=st.sampled_from(["running", "reversed", "tree"]))
@settings(max_examples=6, deadline=None)
def test_parts_merge_to_the_whole_report(data: SyntheticData, k: int, order: str) -> None:
    want = whole_report(data)
    options = settings_of(data)
    plan = plan_report(**{key: options[key] for key in options})
    parts = [fold_report(plan, kind, part) for kind in KINDS for part in partitions(data, kind, k)]
    if order == "reversed":
        parts.reverse()
    if order == "tree":
        while len(parts) > 1:
            parts = [merge_parts(*parts[i : i + 2]) if i + 1 < len(parts) else parts[i]
                     for i in range(0, len(parts), 2)]  # fmt: skip
    merged = None
    for part in parts:
        merged = merge_parts(merged, part)
    got = finish_report(plan, merged, kinds=KINDS)
    assert_same_report(got, want)


def test_one_part_is_the_report(data: SyntheticData) -> None:
    """Folding the whole input as one part and finishing it gives the report's rows."""
    want = whole_report(data)
    options = settings_of(data)
    plan = plan_report(**options)
    merged = None
    for kind in KINDS:
        merged = merge_parts(merged, fold_report(plan, kind, getattr(data, kind)))
    assert_same_report(finish_report(plan, merged, kinds=KINDS), want)


def test_a_reason_holds_only_when_every_part_has_it(data: SyntheticData) -> None:
    """A default metric is skipped for a missing input only if no part has that input."""
    plan = plan_report(metrics=None)
    surveys = normalise("surveys", data.surveys)
    kinds = np.asarray(surveys["kind"])
    nps, csat = (np.flatnonzero(kinds == k) for k in ("nps", "csat"))
    parts = [fold_report(plan, "surveys", subset("surveys", surveys, rows)) for rows in (nps, csat)]
    assert parts[0].metrics["csat"].reason == "no CSAT answers in the surveys"
    assert parts[1].metrics["csat"].reason is None
    merged = merge_parts(parts[0], parts[1])
    assert merged is not None and merged.metrics["csat"].reason is None
    assert merged.metrics["nps"].reason is None
    whole = report(surveys=surveys.select(np.r_[nps, csat]))
    got = finish_report(plan, merged, kinds=("surveys",))
    assert_same_report(got, whole)


def test_no_part_gives_the_empty_report() -> None:
    plan = plan_report(metrics=["csat"], period="week")
    got = finish_report(plan, None, kinds=("surveys",))
    assert got.rows == report(surveys=[], metrics=["csat"], period="week").rows
