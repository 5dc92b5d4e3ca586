"""Many comparisons at once: Benjamini-Hochberg control of false discoveries.

A weekly report by channel compares hundreds of metric-periods with the period
before; at a 5 % level, one in twenty unchanged metrics would be flagged by
chance. The report therefore calls a change significant when its p-value passes
the Benjamini-Hochberg step-up procedure over every comparison of the report,
which keeps the expected share of false flags among the flagged at most
``1 - confidence``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from cxmetrics.reporting.row import ReportRow

__all__ = ["benjamini_hochberg", "flag_significant"]


def benjamini_hochberg(p_values: Sequence[float], level: float = 0.05) -> list[bool]:
    """Which hypotheses the Benjamini-Hochberg step-up procedure rejects at ``level``.

    Sort the m p-values, find the largest rank k with ``p_(k) <= k * level / m``
    and reject the k smallest.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.20], level=0.05)
    [True, False, False, False]
    >>> benjamini_hochberg([0.01, 0.02, 0.03, 0.04], level=0.05)
    [True, True, True, True]
    >>> benjamini_hochberg([])
    []
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    passing = np.nonzero(p[order] <= level * np.arange(1, m + 1) / m)[0]
    rejected = np.zeros(m, dtype=bool)
    if passing.size:
        rejected[order[: passing[-1] + 1]] = True
    return [bool(r) for r in rejected]


def flag_significant(rows: Sequence[ReportRow], level: float = 0.05) -> list[ReportRow]:
    """``rows`` with ``significant`` set by Benjamini-Hochberg over their p-values.

    Rows without a p-value keep ``significant=None``.
    """
    tested = [i for i, row in enumerate(rows) if row.p_value is not None]
    flags = benjamini_hochberg([rows[i].p_value or 0.0 for i in tested], level)
    out = list(rows)
    for i, flag in zip(tested, flags, strict=True):
        if out[i].significant is not flag:
            out[i] = replace(out[i], significant=flag)
    return out
