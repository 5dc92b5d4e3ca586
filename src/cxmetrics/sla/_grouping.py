"""Grouped-array helpers of SLA evaluation: ordering, searching and summing within groups.

Rows grouped by ticket (or by instance) and ordered by time are the shape of
every SLA table; these helpers sort, search and add within such groups exactly
(no float key arithmetic), packing (group, time) pairs into integer keys when
instants are whole seconds. The only loops run over the *rank* of a row within
its group (a handful of iterations) to keep per-group sums exact.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "group_time_order",
    "rank_in_group",
    "segmented_cumsum",
    "segmented_searchsorted",
    "sorted_within_groups",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def sorted_within_groups(group: IntArray, at: FloatArray) -> bool:
    """Whether rows are sorted by (group, at): one linear pass, no sort.

    A ``nan`` instant beside another row of its group makes it false (callers
    then sort); a lone one is left for the caller's own checks.
    """
    if group.size < 2:
        return bool(group.size == 0 or at[0] == at[0])
    same = group[1:] == group[:-1]
    if not (same | (group[1:] > group[:-1])).all():
        return False
    return bool(((at[1:] >= at[:-1]) | ~same).all() and not np.isnan(at[0]))


def segmented_searchsorted(
    row_group: IntArray,
    values: FloatArray,
    query_group: IntArray,
    query_values: FloatArray,
    side: str = "left",
) -> IntArray:
    """Insertion positions of queries into values sorted by (group, value).

    ``values`` must be sorted by ``row_group`` then value. The result is the global
    position, as ``numpy.searchsorted`` would give on the pair (group, value):
    rows of earlier groups all come before. Exact (no float key arithmetic).
    """
    packed = _packed_keys((row_group, values), (query_group, query_values))
    if packed is not None:
        # Integer keys order the pairs exactly: one binary search, no sort.
        return np.searchsorted(packed[0], packed[1], side="left" if side == "left" else "right")
    n, q = values.size, query_values.size
    # side="left": a query sorts before equal values, so it goes first in the
    # concatenation (the sort is stable); "right": after them.
    values_first = side == "right"
    if values_first:
        groups = np.concatenate([row_group, query_group])
        keys = np.concatenate([values, query_values])
        is_value = np.arange(n + q) < n
    else:
        groups = np.concatenate([query_group, row_group])
        keys = np.concatenate([query_values, values])
        is_value = np.arange(n + q) >= q
    order = group_time_order(groups, keys)
    from_values = is_value[order]
    seen = np.cumsum(from_values)
    query_index = order[~from_values] - (n if values_first else 0)
    result = np.empty(q, dtype=np.int64)
    result[query_index] = seen[~from_values]
    return result


def group_time_order(group: IntArray, at: FloatArray) -> IntArray:
    """Stable order of rows by (group, at): rows with equal pairs keep their order.

    One stable sort. When every instant is a whole number of seconds (as helpdesk
    exports are) the pair packs exactly into one int64 key, which sorts about twice
    as fast as the general key; otherwise the key is complex (numpy orders those by
    real, then imaginary part), exact for any float instants including
    infinities. Inputs made of a few runs already sorted by (group, at) sort in
    near-linear time, which is how the evaluator calls it.
    """
    packed = _packed_key(group, at)
    if packed is not None:
        return np.argsort(packed, kind="stable")
    key = np.empty(group.size, dtype=np.complex128)
    key.real = group
    key.imag = at
    return np.argsort(key, kind="stable")


def _packed_key(group: IntArray, at: FloatArray) -> IntArray | None:
    """``group * span + (at - min)`` as int64 when exact (whole finite seconds), else None."""
    packed = _packed_keys((group, at))
    return None if packed is None else packed[0]


def _packed_keys(*pairs: tuple[IntArray, FloatArray]) -> list[IntArray] | None:
    """Exact int64 keys ordering every (group, at) pair alike, or None.

    The pairs share one origin and span, so keys compare across them as the
    pairs do. Exact when every instant is a whole number of seconds and the keys
    stay below 2**62 (whole floats below 2**53 are exact).
    """
    groups = [g for g, _ in pairs if g.size]
    instants = [a for _, a in pairs if a.size]
    if not instants:
        return None
    low = min(float(a.min()) for a in instants)
    high = max(float(a.max()) for a in instants)
    g_low = min(int(g.min()) for g in groups)
    g_high = max(int(g.max()) for g in groups)
    if not (np.isfinite(low) and np.isfinite(high)) or g_low < 0:
        return None
    span = int(high - low) + 1
    if span >= 2**40 or (g_high + 1) * span >= 2**62 or max(-low, high) >= 2**53:
        return None
    keys = []
    for group, at in pairs:
        offset = at - low
        whole = offset.astype(np.int64)
        if not np.array_equal(whole, offset):
            return None
        key = group.astype(np.int64, copy=True)
        key *= span
        key += whole
        keys.append(key)
    return keys


def rank_in_group(group_offsets: IntArray, n_rows: int) -> IntArray:
    """Position of each row within its group, for rows laid out by ``group_offsets``."""
    counts = np.diff(group_offsets)
    return np.arange(n_rows, dtype=np.int64) - np.repeat(group_offsets[:-1], counts)


def segmented_cumsum(values: FloatArray, rank: IntArray) -> tuple[FloatArray, FloatArray]:
    """Exact running sums within groups of consecutive rows: (sum before, sum through).

    Adds row by row in each group (one vectorised step per rank), so sums are the
    same as a sequential loop would give, whatever the size of the batch.
    """
    before = np.zeros(values.size, dtype=np.float64)
    through = values.astype(np.float64, copy=True)
    if values.size == 0:
        return before, through
    top = int(rank.max())
    # Rows grouped by rank (a stable radix sort on small integers), so that each
    # step touches only the rows of its rank.
    small = rank.astype(np.int16) if top < np.iinfo(np.int16).max else rank
    by_rank = np.argsort(small, kind="stable")
    bounds = np.zeros(top + 2, dtype=np.int64)
    np.cumsum(np.bincount(rank, minlength=top + 1), out=bounds[1:])
    for r in range(1, top + 1):
        rows = by_rank[bounds[r] : bounds[r + 1]]
        before[rows] = through[rows - 1]
        through[rows] = before[rows] + values[rows]
    return before, through
