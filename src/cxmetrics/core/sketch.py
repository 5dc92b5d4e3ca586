"""A mergeable quantile sketch with a stated rank error (Apache DataSketches' KLL).

:class:`QuantileSketch` keeps about ``k`` log n values instead of all ``n``: a few
kilobytes whatever the number of tickets, mergeable in any order. Its answer to
"the q-quantile" is a value whose rank among the values it has seen is within
:attr:`QuantileSketch.rank_error` of ``q``, with 99% confidence (for ``k=200``:
1.33% of the ranks). It is the KLL sketch of Karnin, Lang and Liberty (2016) as
implemented by Apache DataSketches (the ``datasketches`` package, the ``sketch``
extra); this module only wraps it as an immutable, picklable, comparable value.

Up to ``k`` values the sketch holds every value and is exact; beyond, it
compacts at random, so two sketches of the same values agree within the error
bound, not bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

from cxmetrics._optional import import_optional
from cxmetrics.exceptions import IncompatibleStateError

__all__ = ["DEFAULT_K", "QuantileSketch"]

DEFAULT_K = 200
"""Accuracy parameter of the sketches: 1.33% rank error at 99% confidence."""


def _kll() -> Any:
    module = import_optional("datasketches", extra="sketch", feature='quantiles="sketch"')
    return module.kll_doubles_sketch


@dataclass(frozen=True, eq=False)
class QuantileSketch:
    """An immutable KLL sketch of float values (stored serialised, so it pickles).

    Attributes
    ----------
    data : bytes
        The serialised DataSketches KLL sketch (empty bytes: no values).
    k : int
        Accuracy parameter (see :attr:`rank_error`).

    Examples
    --------
    >>> sketch = QuantileSketch.of([4.0, 1.0, 3.0]).merge(QuantileSketch.of([2.0, 5.0]))
    >>> sketch.n, sketch.quantile(0.5)
    (5, 3.0)
    >>> round(sketch.rank_error, 4)
    0.0133
    """

    data: bytes = b""
    k: int = DEFAULT_K

    @classmethod
    def of(cls, values: npt.ArrayLike, k: int = DEFAULT_K) -> QuantileSketch:
        """Sketch an array of values (NaN must be left out by the caller)."""
        # A writable, contiguous copy: the binding refuses read-only views.
        array = np.array(values, dtype=np.float64, copy=True, order="C")
        if array.size == 0:
            return cls(b"", k)
        sketch = _kll()(k)
        sketch.update(array)
        return cls(bytes(sketch.serialize()), k)

    def _sketch(self) -> Any:
        kll = _kll()
        return kll.deserialize(self.data) if self.data else kll(self.k)

    def merge(self, other: Self) -> Self:
        """The sketch of the values of both (same ``k`` only)."""
        if other.k != self.k:
            raise IncompatibleStateError(f"cannot merge a sketch of k={other.k} into k={self.k}")
        if not other.data:
            return self
        if not self.data:
            return other
        sketch = self._sketch()
        sketch.merge(other._sketch())
        return type(self)(bytes(sketch.serialize()), self.k)

    @property
    def n(self) -> int:
        """How many values the sketch has seen."""
        return int(self._sketch().n) if self.data else 0

    @property
    def rank_error(self) -> float:
        """The normalised rank error of one quantile, at 99% confidence."""
        return float(_kll().get_normalized_rank_error(self.k, False))

    def quantile(self, q: float) -> float:
        """A value whose rank is within :attr:`rank_error` of ``q`` (NaN when empty)."""
        if not self.data:
            return float("nan")
        return float(self._sketch().get_quantile(q))

    def retained(self) -> list[tuple[float, int]]:
        """The values kept and their weights, in order (what equality compares)."""
        if not self.data:
            return []
        return sorted((float(item), int(weight)) for item, weight in self._sketch())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QuantileSketch):
            return NotImplemented
        return self.k == other.k and self.retained() == other.retained()

    def __hash__(self) -> int:
        return hash((self.k, tuple(self.retained())))

    def __repr__(self) -> str:
        return f"QuantileSketch(<{self.n} values>, k={self.k})"
