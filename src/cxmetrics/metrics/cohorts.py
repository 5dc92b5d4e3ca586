"""Cohort retention: customers by start month × months since, share still active."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.core.local_time import local_seconds, local_to_utc
from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.customer import Customer
from cxmetrics.tables.inputs import customer_columns

__all__ = ["CohortTable", "cohort_retention"]


@dataclass(frozen=True)
class CohortTable(MetricTable):
    """A cohort retention table in long form, one row per (segment, cohort, month).

    Columns: ``segment`` (only when grouped by segment), ``cohort`` (``"YYYY-MM"``),
    ``months_since``, ``customers`` (cohort size), ``active`` and ``retention``.
    Months not yet observed at ``as_of`` are absent.

    Examples
    --------
    >>> t = CohortTable(columns=("cohort", "months_since", "customers", "active", "retention"),
    ...                 rows=(("2024-01", 0, 2, 2, 1.0), ("2024-01", 1, 2, 1, 0.5)),
    ...                 index=("cohort", "months_since"))
    >>> t.to_dict()["retention"]
    [1.0, 0.5]
    """

    def to_pandas(self, layout: Literal["long", "wide"] = "long") -> Any:
        """Return a DataFrame; ``layout="wide"`` pivots to cohorts × months since.

        Parameters
        ----------
        layout : {"long", "wide"}, default="long"
        """
        frame = super().to_pandas()
        if layout == "long":
            return frame
        import_optional("pandas", extra="dataframes", feature="CohortTable.to_pandas")
        return frame["retention"].unstack("months_since")


def _month_index(local: Any) -> Any:
    months = local.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    return months  # months since 1970-01


def _month_label(month: int) -> str:
    return f"{1970 + month // 12:04d}-{month % 12 + 1:02d}"


def _month_start_utc(month: int, tz: str) -> float:
    local = np.datetime64(_month_label(month), "M").astype("datetime64[s]").astype(np.int64)
    return local_to_utc(float(local), tz).timestamp()


def cohort_retention(
    customers: Iterable[Customer],
    *,
    as_of: datetime,
    timezone: str = "UTC",
    active: Literal["during", "end"] = "during",
    max_months: int | None = None,
    by_segment: bool = False,
) -> CohortTable:
    r"""Retention of monthly acquisition cohorts, month by month.

    .. math:: r_c(k) = \frac{|\{i \in c : i \text{ active in month } c + k\}|}{|c|}

    A cohort is the calendar month (in ``timezone``) of ``Customer.since``.

    Parameters
    ----------
    customers : iterable of Customer, or a table
        Records, or columns (dict, pandas, polars, Arrow) as in :func:`~cxmetrics.tables.inputs.customer_columns`.
    as_of : datetime
        Timezone-aware instant the data was taken: customers starting later are
        ignored and months not yet observed are left out.
    timezone : str, default="UTC"
        IANA zone the months are read in.
    active : {"during", "end"}, default="during"
        ``"during"``: active at any time in the month (month 0 is always 100 %);
        ``"end"``: still active at the month's end (a month is observed once it
        has ended).
    max_months : int, optional
        Keep months since start up to this number.
    by_segment : bool, default=False
        One table per ``Customer.segment``, stacked (a ``segment`` column first).

    Returns
    -------
    CohortTable
        ``.to_pandas(layout="wide")`` gives the usual triangle.

    Notes
    -----
    The active rule matters: "during" counts a customer who left on the 3rd as
    retained for that month, "end" does not. Products that bill monthly usually
    mean "end" (paid for the next month).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> def day(m, d):
    ...     return datetime(2024, m, d, tzinfo=timezone.utc)
    >>> customers = [Customer(id=1, since=day(1, 5)), Customer(id=2, since=day(1, 9), until=day(2, 14)),
    ...              Customer(id=3, since=day(2, 2), until=day(2, 20))]
    >>> table = cohort_retention(customers, as_of=day(3, 10))
    >>> [(c, k, r) for c, k, _, _, r in table.rows]
    [('2024-01', 0, 1.0), ('2024-01', 1, 1.0), ('2024-01', 2, 0.5), ('2024-02', 0, 1.0), ('2024-02', 1, 0.0)]
    """
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InvalidParameterError(
            f"The 'as_of' parameter of cohort_retention must be timezone-aware. Got {as_of!r} "
            "instead; attach the zone, e.g. as_of.replace(tzinfo=timezone.utc)."
        )
    if active not in ("during", "end"):
        raise InvalidParameterError(
            "The 'active' parameter of cohort_retention must be 'during' or 'end'. "
            f"Got {active!r} instead."
        )
    columns = customer_columns(customers, owner="cohort_retention")
    now = as_of.timestamp()
    seen = columns.since <= now
    since, until, segment = columns.since[seen], columns.until[seen], columns.segment[seen]
    names = ("segment",) if by_segment else ()
    table_columns = (*names, "cohort", "months_since", "customers", "active", "retention")
    index = (*names, "cohort", "months_since")
    if since.size == 0:
        return CohortTable(columns=table_columns, rows=(), index=index)
    cohort = _month_index(local_seconds(since, timezone))
    first = int(cohort.min())
    current = int(_month_index(local_seconds(np.array([now]), timezone))[0])
    # Month starts (UTC) from the first cohort to two months after as_of's month.
    bounds = np.array([_month_start_utc(m, timezone) for m in range(first, current + 3)])
    # Last month (absolute index) each customer counts as active in.
    if active == "during":
        last = first + np.searchsorted(bounds, until, side="left") - 1
        observed = current  # a month is observed once it has started
    else:
        last = first + np.searchsorted(bounds, until, side="left") - 2
        observed = current - 1  # a month is observed once it has ended
    last = np.minimum(last, observed)
    keys = segment.astype(str) if by_segment else np.zeros(since.size, dtype=str)
    rows: list[tuple[Any, ...]] = []
    for key in np.unique(keys):
        mine = keys == key
        rows.extend(_cohort_rows(cohort[mine], last[mine], observed, max_months, key, by_segment))
    return CohortTable(columns=table_columns, rows=tuple(rows), index=index)


def _cohort_rows(
    cohort: Any, last: Any, observed: int, max_months: int | None, key: str, by_segment: bool
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    cohorts, codes = np.unique(cohort, return_inverse=True)
    codes = codes.reshape(-1)
    horizon = observed - int(cohorts.min()) + 1
    # lengths[c, L]: customers of cohort c active for L months (0 … horizon).
    months_active = np.clip(last - cohort + 1, 0, horizon)
    lengths = np.zeros((cohorts.size, horizon + 2), dtype=np.int64)
    np.add.at(lengths, (codes, months_active), 1)
    # Active in month k = active for more than k months.
    still = np.cumsum(lengths[:, ::-1], axis=1)[:, ::-1]
    sizes = lengths.sum(axis=1)
    prefix = ((str(key) or None),) if by_segment else ()
    for c, month in enumerate(cohorts):
        span = observed - int(month)
        if max_months is not None:
            span = min(span, max_months)
        for k in range(span + 1):
            size = int(sizes[c])
            count = int(still[c, k + 1])
            rows.append(
                (
                    *prefix,
                    _month_label(int(month)),
                    k,
                    size,
                    count,
                    count / size if size else math.nan,
                )
            )
    return rows
