"""Immutable, mergeable metric states.

A state is what a metric folds a batch of records into: sums and counts, never a
running mean. States form a commutative monoid: ``a.merge(b) == b.merge(a)``,
``a.merge(b).merge(c) == a.merge(b.merge(c))`` and ``type(a)().merge(a) == a``
(the empty state is the identity). That is what lets a Dask or Spark job fold each
partition on a worker and merge the results on the driver.

Float sums are associative only up to rounding; merged results agree with one-shot
results to within a few units in the last place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

from cxmetrics.exceptions import IncompatibleStateError

__all__ = ["CountsState", "MeanState", "RatioState", "State", "ValuesState"]


@dataclass(frozen=True)
class State:
    """Base class of metric states: merged field by field with ``+``."""

    kind: ClassVar[str] = "state"

    def _check_same_type(self, other: State) -> None:
        if type(other) is not type(self):
            raise IncompatibleStateError(
                f"cannot merge {type(other).__name__} into {type(self).__name__}"
            )

    def merge(self, other: Self) -> Self:
        """Return the state of the union of both partitions.

        Examples
        --------
        >>> RatioState(1, 2).merge(RatioState(3, 4))
        RatioState(numerator=4, denominator=6)
        """
        self._check_same_type(other)
        values = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        return type(self)(**values)

    @classmethod
    def merge_all(cls, states: Iterable[Self]) -> Self:
        """Merge any number of states, starting from the empty one.

        Examples
        --------
        >>> MeanState.merge_all([MeanState(2.0, 4.0, 1), MeanState(4.0, 16.0, 1)])
        MeanState(total=6.0, total_squares=20.0, count=2)
        """
        result = cls()
        for state in states:
            result = result.merge(state)
        return result

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON-able data (see :meth:`from_dict`)."""
        return {
            "kind": type(self).__name__,
            **{f.name: getattr(self, f.name) for f in fields(self)},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a state written by :meth:`to_dict`.

        Examples
        --------
        >>> RatioState.from_dict(RatioState(3, 5).to_dict())
        RatioState(numerator=3, denominator=5)
        """
        values = {k: v for k, v in data.items() if k != "kind"}
        return cls(**values)


@dataclass(frozen=True)
class RatioState(State):
    """Numerator and denominator of a proportion (FCR, CSAT top-box, churn…)."""

    numerator: int = 0
    denominator: int = 0


@dataclass(frozen=True)
class MeanState(State):
    """Sum, sum of squares and count: enough for a mean and its t-interval."""

    total: float = 0.0
    total_squares: float = 0.0
    count: int = 0

    @classmethod
    def of(cls, values: npt.ArrayLike) -> MeanState:
        """Fold an array of values (NaN excluded by the caller) into a state.

        Examples
        --------
        >>> MeanState.of([1.0, 2.0, 3.0])
        MeanState(total=6.0, total_squares=14.0, count=3)
        """
        array = np.asarray(values, dtype=np.float64)
        return cls(float(array.sum()), float(np.square(array).sum()), int(array.size))


@dataclass(frozen=True)
class CountsState(State):
    """Counts per category (NPS groups, channels, tags…).

    Categories with a zero count are dropped, so equal tallies compare equal
    whatever categories were seen empty.
    """

    counts: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> CountsState:
        """Build a state from a mapping of category to count.

        Examples
        --------
        >>> CountsState.of({"b": 2, "a": 1, "c": 0})
        CountsState(counts=(('a', 1), ('b', 2)))
        """
        return cls(tuple(sorted((str(k), int(v)) for k, v in counts.items() if v)))

    def as_dict(self) -> dict[str, int]:
        """Return the counts as a dict."""
        return dict(self.counts)

    @property
    def total(self) -> int:
        """Sum of all counts."""
        return sum(count for _, count in self.counts)

    def merge(self, other: Self) -> Self:
        """Add the counts of both states category by category.

        Examples
        --------
        >>> CountsState.of({"a": 1}).merge(CountsState.of({"a": 2, "b": 1})).as_dict()
        {'a': 3, 'b': 1}
        """
        self._check_same_type(other)
        if not other.counts or not self.counts:  # the common first update: nothing to add
            return self if other.counts == () else other
        merged = dict(self.counts)
        for key, count in other.counts:
            merged[key] = merged.get(key, 0) + count
        return type(self)(tuple(sorted((k, v) for k, v in merged.items() if v)))

    @classmethod
    def merge_all(cls, states: Iterable[Self]) -> Self:
        """Merge any number of states in one pass (one tally, one sort).

        Equal to merging them one by one, without the intermediate tallies: a
        report's totals merge states of thousands of customers per segment.

        Examples
        --------
        >>> CountsState.merge_all([CountsState.of({"a": 1}), CountsState.of({"a": 2, "b": 1})])
        CountsState(counts=(('a', 3), ('b', 1)))
        """
        merged: dict[str, int] = {}
        empty = cls()
        for state in states:
            empty._check_same_type(state)
            if not merged:
                merged = dict(state.counts)
                continue
            get = merged.get
            for key, count in state.counts:
                merged[key] = get(key, 0) + count
        # Keys are distinct: sorting the pairs sorts by key, in C; zeros are rare.
        pairs = sorted(merged.items())
        if not all(merged.values()):
            pairs = [pair for pair in pairs if pair[1]]
        return cls(tuple(pairs))


@dataclass(frozen=True, eq=False)
class ValuesState(State):
    """Every observed value, for exact quantiles (median, p90…).

    Exact but O(n) in memory: 1M durations take 8 MB. Two states are equal when
    they hold the same multiset of values, whatever the order.
    """

    values: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0, dtype=np.float64))

    def __post_init__(self) -> None:
        array = np.array(self.values, dtype=np.float64, copy=True)
        array.setflags(write=False)
        object.__setattr__(self, "values", array)

    def merge(self, other: Self) -> Self:
        """Concatenate the values of both states.

        Examples
        --------
        >>> ValuesState([3.0]).merge(ValuesState([1.0, 2.0])).values.tolist()
        [3.0, 1.0, 2.0]
        """
        self._check_same_type(other)
        return type(self)(np.concatenate([self.values, other.values]))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, ValuesState)
        return bool(np.array_equal(np.sort(self.values), np.sort(other.values)))

    def __hash__(self) -> int:
        return hash(np.sort(self.values).tobytes())

    def __repr__(self) -> str:
        return f"ValuesState(<{self.values.size} values>)"

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON-able data."""
        return {"kind": type(self).__name__, "values": self.values.tolist()}
