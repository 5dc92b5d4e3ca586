"""The quantile sketch: its stated rank error against exact quantiles, and the merge laws."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.core.sketch import QuantileSketch
from cxmetrics.datasets import generate
from cxmetrics.exceptions import IncompatibleStateError
from cxmetrics.metrics import FirstResponseTime, ResolutionTime
from cxmetrics.metrics._duration import DurationSketchState

QUANTILES = (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)

durations = st.lists(
    st.floats(min_value=0.0, max_value=1e7, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=3000,
)


def rank_range(values: np.ndarray, x: float) -> tuple[float, float]:
    """The exact normalised ranks ``x`` occupies: (share below, share at or below)."""
    return float(np.mean(values < x)), float(np.mean(values <= x))


@settings(max_examples=60)
@given(durations, st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_merged_sketch_quantiles_are_within_the_stated_rank_error(
    values: list[float], parts: int, seed: int
) -> None:
    array = np.asarray(values)
    pieces = np.array_split(np.random.default_rng(seed).permutation(array), parts)
    sketch = QuantileSketch()
    for piece in pieces:
        sketch = sketch.merge(QuantileSketch.of(piece))
    assert sketch.n == array.size
    for q in QUANTILES:
        below, at_or_below = rank_range(array, sketch.quantile(q))
        assert below - sketch.rank_error <= q <= at_or_below + sketch.rank_error


@given(st.lists(durations, min_size=1, max_size=4).map(lambda ls: [v[:60] for v in ls]))
def test_small_sketches_are_exact_and_merge_in_any_order(parts: list[list[float]]) -> None:
    # Up to k values nothing is compacted: merges commute exactly.
    sketches = [QuantileSketch.of(p) for p in parts]
    forward = QuantileSketch()
    for s in sketches:
        forward = forward.merge(s)
    backward = QuantileSketch()
    for s in reversed(sketches):
        backward = backward.merge(s)
    assert forward == backward
    assert forward.retained() == sorted((v, 1) for p in parts for v in p)
    assert pickle.loads(pickle.dumps(forward)) == forward


def test_empty_sketch_is_the_identity_and_other_k_is_refused() -> None:
    sketch = QuantileSketch.of([3.0, 1.0])
    assert QuantileSketch().merge(sketch) == sketch == sketch.merge(QuantileSketch())
    assert np.isnan(QuantileSketch().quantile(0.5))
    with pytest.raises(IncompatibleStateError):
        sketch.merge(QuantileSketch.of([1.0], k=50))


@pytest.mark.parametrize("metric", [FirstResponseTime, ResolutionTime])
def test_sketched_duration_metric_is_within_the_error_of_the_exact_one(metric: type) -> None:
    tickets = generate(3000, seed=3).tickets
    exact, sketched = metric(statistic="p90"), metric(statistic="p90", quantiles="sketch")
    halves = (tickets.select(np.arange(1500)), tickets.select(np.arange(1500, 3000)))
    for half in halves:
        exact.update(half)
        part = metric(statistic="p90", quantiles="sketch")
        part.update(half)
        sketched.merge(part)
    assert isinstance(sketched.state, DurationSketchState)
    values = np.sort(exact.state.values)
    got = sketched.compute()
    below, at_or_below = rank_range(values, got.value.total_seconds())
    error = got.details["rank_error"]
    assert below - error <= 0.9 <= at_or_below + error
    assert got.n == exact.compute().n
    # The mean is exact either way (sums).
    exact_mean = metric()
    exact_mean.update(tickets)
    sketch_mean = metric(quantiles="sketch")
    sketch_mean.update(tickets)
    assert sketch_mean.compute().value.total_seconds() == pytest.approx(
        exact_mean.compute().value.total_seconds()
    )
    state = sketch_mean.state
    assert type(state).from_dict(state.to_dict()) == state
