"""Categorical helpers: strings encoded as sorted categories, categoricals merged."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.arrow import BoolArray
from cxmetrics.tables.ticket_batch import Categorical

__all__ = ["categorical", "merge_categoricals"]


def categorical(text: npt.NDArray[np.str_], missing: BoolArray) -> Categorical:
    """Encode strings as a :class:`Categorical` (sorted categories, -1 = missing).

    Examples
    --------
    >>> c = categorical(np.array(["b", "", "a"]), np.array([False, True, False]))
    >>> c.categories, c.codes.tolist()
    (('a', 'b'), [1, -1, 0])
    """
    codes = np.full(text.size, -1, dtype=np.int32)
    present = ~missing
    if not present.any():
        return Categorical(codes, ())
    categories, inverse = np.unique(text[present], return_inverse=True)
    codes[present] = inverse.astype(np.int32)
    return Categorical(codes, tuple(str(c) for c in categories.tolist()))


def merge_categoricals(parts: Sequence[Categorical]) -> Categorical:
    """Concatenate categoricals, re-coding them onto the union of their categories.

    Examples
    --------
    >>> a = Categorical(np.array([0, -1], dtype=np.int32), ("x",))
    >>> b = Categorical(np.array([0, 1], dtype=np.int32), ("a", "x"))
    >>> merge_categoricals([a, b]).to_list()
    ['x', None, 'a', 'x']
    """
    categories = tuple(sorted(set().union(*(p.categories for p in parts))))
    index = {c: i for i, c in enumerate(categories)}
    codes = []
    for part in parts:
        lookup = np.array([index[c] for c in part.categories] + [-1], dtype=np.int32)
        codes.append(lookup[np.where(part.codes < 0, len(part.categories), part.codes)])
    merged = np.concatenate(codes) if codes else np.empty(0, dtype=np.int32)
    return Categorical(merged.astype(np.int32), categories)
