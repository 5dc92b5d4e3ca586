"""One row of a KPI report: a metric's value over one period and segment."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import Any

import numpy as np

__all__ = ["ReportRow"]


@dataclass(frozen=True)
class ReportRow:
    """One metric over one period.

    ``change`` is the difference with the previous period's value (``None`` for the
    first period or when either is undefined); ``significant`` says whether that
    change is statistically significant at the result's confidence level once the
    false discoveries over all the report's comparisons are controlled
    (Benjamini-Hochberg; ``None`` when no test applies to the metric), and
    ``p_value`` is the change's own, unadjusted p-value. ``segment`` holds the ``(by, value)``
    pairs of the row's segment (empty without ``by``): ``"(none)"`` is the
    segment of rows without a value, ``"(all)"`` marks a ``by`` field the metric's
    input does not have.
    """

    metric: str
    period: str
    value: Any
    n: int
    unit: str
    low: Any = None
    high: Any = None
    change: float | None = None
    significant: bool | None = None
    p_value: float | None = None
    segment: tuple[tuple[str, str], ...] = ()
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_plain(self) -> dict[str, Any]:
        """Return the row with durations in seconds and nan as None (JSON-able).

        Each ``by`` key of the segment becomes a column of its own.
        """
        # Field by field, not dataclasses.asdict: that deep-copies the details,
        # which are dropped here, and costs a second per 10,000 rows.
        plain = {f.name: getattr(self, f.name) for f in _ROW_FIELDS}
        plain.update(self.segment)
        return {key: _plain(value) for key, value in plain.items()}


_ROW_FIELDS = tuple(f for f in fields(ReportRow) if f.name not in ("details", "segment"))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):  # a copy: the row's own dict stays the row's
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value
