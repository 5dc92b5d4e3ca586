"""The contract every metric class must satisfy, as a mixin of hypothesis tests.

A metric's test module subclasses :class:`MetricContract` and sets four class
attributes::

    class TestCSAT(MetricContract):
        metric_cls = CSAT
        function = csat            # the one-liner, or None
        items = st.lists(st.integers(1, 5))   # strategy for one batch of input
        params = {"scale": 5}

``function`` is called as ``function(items, **function_params)`` (``function_params``
defaults to ``params``) and must equal ``metric_cls(**params)`` updated with the
same items. Set ``empty_input`` when an empty list is not how the metric spells
"no data" (e.g. it needs a batch object).
"""

from __future__ import annotations

import itertools
import math
import pickle
import random
import warnings
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import UndefinedMetricWarning, available_metrics, get_metric
from cxmetrics.core.base import Metric

# The contract runs for every metric class: fewer examples per law than the suite's
# profile, so that the whole contract stays within a few minutes on two cores.
_CONTRACT = settings(max_examples=min(settings.default.max_examples, 40))


def same_value(a: Any, b: Any, rel: float = 1e-9) -> bool:
    """Equality for metric values: nan equals nan, floats to a relative tolerance."""
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return same_value(a.total_seconds(), b.total_seconds(), rel)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k], rel) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same_value(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)
    return bool(a == b)


def _quiet_compute(metric: Metric[Any, Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        return metric.compute()


def _fold(metric_cls: type[Metric[Any, Any]], params: dict[str, Any], batches: list[Any]) -> Any:
    metric = metric_cls(**params)
    for batch in batches:
        metric.update(batch)
    return metric


class MetricContract:
    """Laws and conventions every metric class satisfies."""

    metric_cls: ClassVar[type[Metric[Any, Any]]]
    function: ClassVar[Any] = None
    items: ClassVar[st.SearchStrategy[Any]]
    params: ClassVar[dict[str, Any]] = {}
    function_params: ClassVar[dict[str, Any] | None] = None
    empty_input: ClassVar[Any] = ()

    def _split(self, items: Any, cuts: list[int]) -> list[Any]:
        """Split one batch into consecutive parts at ``cuts`` (override for batch types)."""
        bounds = [0, *sorted(c % (len(items) + 1) for c in cuts), len(items)]
        return [items[a:b] for a, b in itertools.pairwise(bounds)]

    def _shuffle(self, items: Any, seed: int) -> Any:
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        return shuffled

    @_CONTRACT
    @given(data=st.data())
    def test_partition_and_merge_equals_one_shot(self, data: st.DataObject) -> None:
        items = data.draw(self.items, label="items")
        cuts = data.draw(st.lists(st.integers(0, 10_000), max_size=4), label="cuts")
        one_shot = _quiet_compute(_fold(self.metric_cls, self.params, [items]))
        parts = [_fold(self.metric_cls, self.params, [p]) for p in self._split(items, cuts)]
        merged = self.metric_cls(**self.params)
        for part in reversed(parts):  # merge order differs from data order on purpose
            merged.merge(part)
        result = _quiet_compute(merged)
        assert same_value(result.value, one_shot.value), (result.value, one_shot.value)
        assert result.n == one_shot.n

    @_CONTRACT
    @given(data=st.data())
    def test_state_is_a_commutative_monoid(self, data: st.DataObject) -> None:
        a, b, c = (
            _fold(self.metric_cls, self.params, [data.draw(self.items)]).state for _ in range(3)
        )
        empty = self.metric_cls(**self.params).state
        assert empty.merge(a) == a and a.merge(empty) == a
        assert _approx_state(a.merge(b), b.merge(a))
        assert _approx_state(a.merge(b).merge(c), a.merge(b.merge(c)))

    @_CONTRACT
    @given(data=st.data())
    def test_order_does_not_matter(self, data: st.DataObject) -> None:
        items = data.draw(self.items)
        seed = data.draw(st.integers(0, 2**32 - 1))
        before = _quiet_compute(_fold(self.metric_cls, self.params, [items]))
        after = _quiet_compute(_fold(self.metric_cls, self.params, [self._shuffle(items, seed)]))
        assert same_value(before.value, after.value)

    @_CONTRACT
    @given(data=st.data())
    def test_value_within_bounds(self, data: st.DataObject) -> None:
        result = _quiet_compute(_fold(self.metric_cls, self.params, [data.draw(self.items)]))
        value = result.value
        if isinstance(value, timedelta):
            value = value.total_seconds()
        if not isinstance(value, (int, float)) or math.isnan(value):
            return
        low, high = self.metric_cls.lower_bound, self.metric_cls.upper_bound
        assert low is None or value >= low - 1e-9
        assert high is None or value <= high + 1e-9
        if result.interval is not None and not any(
            isinstance(v, float) and math.isnan(v) for v in result.interval
        ):
            lo, hi = result.interval
            assert lo <= hi

    @_CONTRACT
    @given(data=st.data())
    def test_function_equals_class(self, data: st.DataObject) -> None:
        if type(self).function is None:
            pytest.skip("no one-liner")
        items = data.draw(self.items)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            value = type(self).function(items, **(self.function_params or self.params))
        expected = _quiet_compute(_fold(self.metric_cls, self.params, [items])).value
        assert same_value(value, expected)

    def test_empty_input_is_undefined(self) -> None:
        metric = self.metric_cls(**self.params)
        metric.update(self.empty_input)
        with pytest.warns(UndefinedMetricWarning):
            result = metric.compute()
        assert result.n == 0

    @_CONTRACT
    @given(data=st.data())
    def test_reset_forgets_everything(self, data: st.DataObject) -> None:
        metric = _fold(self.metric_cls, self.params, [data.draw(self.items)])
        metric.reset()
        assert metric.state == self.metric_cls(**self.params).state

    @_CONTRACT
    @given(data=st.data())
    def test_pickles_and_rebuilds_from_state(self, data: st.DataObject) -> None:
        metric = _fold(self.metric_cls, self.params, [data.draw(self.items)])
        clone = pickle.loads(pickle.dumps(metric))
        assert clone.state == metric.state and clone.params == metric.params
        rebuilt = self.metric_cls.from_state(metric.state, **self.params)
        assert same_value(_quiet_compute(rebuilt).value, _quiet_compute(metric).value)

    def test_registered_with_metadata(self) -> None:
        cls = self.metric_cls
        assert cls.name in available_metrics()
        assert get_metric(cls.name) is cls
        assert cls.unit and cls.input_kind
        assert cls.higher_is_better in (True, False, None)
        assert cls.__doc__ and "Examples" in cls.__doc__

    def test_refuses_to_merge_other_parameters_or_classes(self) -> None:
        from cxmetrics import IncompatibleStateError
        from cxmetrics.metrics import NPS, ReviewRating

        other_cls = NPS if self.metric_cls is not NPS else ReviewRating
        metric = self.metric_cls(**self.params)
        with pytest.raises(IncompatibleStateError):
            metric.merge(other_cls())  # type: ignore[arg-type]
        different = self.metric_cls(**{**self.params, "confidence": 0.9})
        with pytest.raises(IncompatibleStateError):
            metric.merge(different)


def _approx_state(a: Any, b: Any) -> bool:
    """State equality up to float rounding in sums."""
    if a == b:
        return True
    da, db = a.to_dict(), b.to_dict()
    return bool(da.keys() == db.keys() and all(same_value(da[k], db[k]) for k in da))
