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

__all__ = [
    "CodedCountsState",
    "CountsState",
    "MeanState",
    "RatioState",
    "State",
    "ValuesState",
]


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


_EMPTY_CODES: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class CodedCountsState(State):
    """Counts per key, the keys held as integer codes into a shared ``vocabulary``.

    The state of a per-customer tally: a report cuts one batch into hundreds of
    groups whose keys all come from the batch's customer ids, so each group keeps
    two integer arrays instead of a tuple of (name, count) pairs, and states over
    the same vocabulary merge in integer arithmetic. States over different
    vocabularies (other batches, other processes) merge on the keys' text. Rows
    without a key are counted in ``unkeyed``. Two states are equal when they hold
    the same counts per key, whatever their vocabularies.

    Attributes
    ----------
    vocabulary : tuple of str
        The keys the codes point into (sorted or not; shared, never copied).
    codes : ndarray of int64
        Distinct codes of the keys counted, ascending.
    counts : ndarray of int64
        The positive count of each code.
    unkeyed : int
        Rows counted without a key.

    Examples
    --------
    >>> names = ("ana", "bo", "cy")
    >>> a = CodedCountsState.of(names, np.array([0, 0, 2]), unkeyed=1)
    >>> b = CodedCountsState.of(names, np.array([2, 1]))
    >>> merged = a.merge(b)
    >>> merged.as_dict(), merged.unkeyed, merged.total
    ({'ana': 2, 'bo': 1, 'cy': 2}, 1, 6)
    >>> merged == CodedCountsState.of(("cy", "bo", "ana"), np.array([2, 2, 1, 0, 0]), unkeyed=1)
    True
    """

    vocabulary: tuple[str, ...] = ()
    codes: npt.NDArray[np.int64] = field(default_factory=lambda: _EMPTY_CODES)
    counts: npt.NDArray[np.int64] = field(default_factory=lambda: _EMPTY_CODES)
    unkeyed: int = 0
    sealed_keys: int = 0
    """Keys counted by :meth:`sealed` states: known distinct from every other key."""
    sealed_rows: int = 0
    """Rows of the sealed keys."""

    @classmethod
    def of(
        cls, vocabulary: tuple[str, ...], codes: npt.NDArray[Any], unkeyed: int = 0
    ) -> CodedCountsState:
        """Tally ``codes`` (one per row, each a position in ``vocabulary``)."""
        used, counts = np.unique(np.asarray(codes, dtype=np.int64), return_counts=True)
        return cls(vocabulary, used, counts.astype(np.int64), int(unkeyed))

    @property
    def keys(self) -> int:
        """The number of distinct keys counted."""
        return int(self.codes.size) + self.sealed_keys

    @property
    def total(self) -> int:
        """Every row counted, keyed or not."""
        return int(self.counts.sum()) + self.unkeyed + self.sealed_rows

    def sealed(self) -> CodedCountsState:
        """The same counts without the keys, for merging with states of other keys only.

        A partition that holds whole customers (the engines co-locate them) seals
        its per-customer tallies: no other partition can count the same customer,
        so only the number of keys and rows must travel and be kept, not the keys.
        Merging a sealed state with one that shares its keys would count them twice.

        Examples
        --------
        >>> state = CodedCountsState.of(("a", "b"), np.array([0, 0, 1]), unkeyed=2)
        >>> sealed = state.sealed()
        >>> (sealed.keys, sealed.total, sealed.as_dict()) == (2, 5, {})
        True
        """
        return type(self)(
            unkeyed=self.unkeyed,
            sealed_keys=self.keys,
            sealed_rows=int(self.counts.sum()) + self.sealed_rows,
        )

    def as_dict(self) -> dict[str, int]:
        """The counts per key (without the unkeyed rows)."""
        names = self.vocabulary
        return {
            names[code]: count
            for code, count in zip(self.codes.tolist(), self.counts.tolist(), strict=True)
        }

    def _texts(self) -> npt.NDArray[Any]:
        names = self.vocabulary
        return np.array([names[code] for code in self.codes.tolist()], dtype=object)

    def merge(self, other: Self) -> Self:
        """Add the counts key by key (in integer codes when the vocabulary is shared)."""
        self._check_same_type(other)
        return self.merge_all((self, other))

    @classmethod
    def merge_all(cls, states: Iterable[Self]) -> Self:
        """Merge any number of states: one tally per vocabulary, then one over the texts."""
        by_vocabulary: dict[int, list[Self]] = {}
        unkeyed = sealed_keys = sealed_rows = 0
        empty = cls()
        for state in states:
            empty._check_same_type(state)
            unkeyed += state.unkeyed
            sealed_keys += state.sealed_keys
            sealed_rows += state.sealed_rows
            if state.codes.size:
                by_vocabulary.setdefault(id(state.vocabulary), []).append(state)
        tallies = [cls._tally(group) for group in by_vocabulary.values()]
        sealed = {"sealed_keys": sealed_keys, "sealed_rows": sealed_rows}
        if not tallies:
            return cls(unkeyed=unkeyed, sealed_keys=sealed_keys, sealed_rows=sealed_rows)
        if len(tallies) == 1:
            vocabulary, codes, counts = tallies[0]
            return cls(vocabulary, codes, counts, unkeyed, **sealed)
        texts = np.concatenate([cls(v, c, n)._texts() for v, c, n in tallies])
        words, inverse = np.unique(texts, return_inverse=True)
        counts = np.bincount(
            inverse.reshape(-1), weights=np.concatenate([n for _, _, n in tallies]),
            minlength=words.size,
        )  # fmt: skip
        return cls(
            tuple(words.tolist()),
            np.arange(words.size, dtype=np.int64),
            counts.astype(np.int64),
            unkeyed,
            **sealed,
        )

    @staticmethod
    def _tally(
        group: list[Any],
    ) -> tuple[tuple[str, ...], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The merged codes and counts of states sharing one vocabulary."""
        if len(group) == 1:
            return group[0].vocabulary, group[0].codes, group[0].counts
        codes = np.concatenate([state.codes for state in group])
        counts = np.concatenate([state.counts for state in group])
        used, inverse = np.unique(codes, return_inverse=True)
        summed = np.bincount(inverse.reshape(-1), weights=counts, minlength=used.size)
        return group[0].vocabulary, used, summed.astype(np.int64)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return (self.unkeyed, self.sealed_keys, self.sealed_rows) == (
            other.unkeyed,
            other.sealed_keys,
            other.sealed_rows,
        ) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with the keys it counts only, not the whole shared vocabulary.
        return (
            _coded_counts,
            (
                tuple(self._texts().tolist()), self.counts, self.unkeyed,
                self.sealed_keys, self.sealed_rows,
            ),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The counts per key as plain data (see :meth:`from_dict`)."""
        return {
            "kind": type(self).__name__,
            "counts": self.as_dict(),
            "unkeyed": self.unkeyed,
            "sealed_keys": self.sealed_keys,
            "sealed_rows": self.sealed_rows,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a state written by :meth:`to_dict`."""
        counts = dict(data["counts"])
        return cls(
            tuple(counts),
            np.arange(len(counts), dtype=np.int64),
            np.asarray(list(counts.values()), dtype=np.int64),
            int(data["unkeyed"]),
            int(data.get("sealed_keys", 0)),
            int(data.get("sealed_rows", 0)),
        )


def _coded_counts(
    keys: tuple[str, ...], counts: Any, unkeyed: int, sealed_keys: int = 0, sealed_rows: int = 0
) -> CodedCountsState:
    codes = np.arange(len(keys), dtype=np.int64)
    return CodedCountsState(keys, codes, counts, unkeyed, sealed_keys, sealed_rows)


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
