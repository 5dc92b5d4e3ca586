"""Array helpers shared by the kernels."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["distinct"]


def distinct(values: npt.ArrayLike) -> npt.NDArray[Any]:
    """The sorted distinct values of an integer or string array, by one sort.

    Equal to ``np.unique(values)``. numpy 2.3 and later answer a bare
    ``np.unique`` by hashing, which on a million distinct integers costs about
    twenty times a sort; this keeps the sort. Not for floats with NaN (each NaN
    would be kept).

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    >>> distinct(np.array([], dtype=np.int64)).size
    0
    """
    array = np.sort(np.asarray(values).ravel())
    if array.size < 2:
        return array
    keep = np.empty(array.size, dtype=bool)
    keep[0] = True
    np.not_equal(array[1:], array[:-1], out=keep[1:])
    return array[keep]
