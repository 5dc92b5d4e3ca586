"""Solved tickets per period, and the open / closed breakdown by status."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics.core.dispatch import engine_function
from cxmetrics.core.periods import PERIODS, period_labels
from cxmetrics.core.result_table import MetricTable
from cxmetrics.definitions import Definitions
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.ticket import TICKET_STATUSES
from cxmetrics.tables.inputs import as_ticket_batch
from cxmetrics.tickets.measure import ticket_metrics

__all__ = ["OPEN_STATUSES", "solved_per_period", "status_breakdown"]

OPEN_STATUSES = ("new", "open", "pending", "on_hold")
"""Statuses of a ticket still being worked on; ``solved`` and ``closed`` are closed."""


def solved_per_period(
    tickets: Any,
    *,
    period: str = "week",
    timezone: str = "UTC",
    definitions: Definitions | str = "default",
) -> MetricTable:
    """How many tickets were solved in each period (by their first solve).

    A ticket counts once, in the period of its first solve (``first_resolved_at``
    of :func:`~cxmetrics.tickets.ticket_metrics`, which follows ``definitions``),
    even if it was reopened and solved again later.

    Parameters
    ----------
    tickets : tickets
    period : {"day", "week", "month", "quarter", "year"}, default="week"
    timezone : str, default="UTC"
        The zone whose calendar the periods follow.
    definitions : Definitions or str, default="default"

    Returns
    -------
    MetricTable
        ``period``, ``solved``, in period order (periods without a solve are absent).

    Examples
    --------
    >>> from cxmetrics.datasets import load_sample
    >>> table = solved_per_period(load_sample().tickets, timezone="Europe/Amsterdam")
    >>> table.column("period")[:2], sum(table.column("solved")) > 1500
    (['2024-W36', '2024-W37'], True)
    """
    if period not in PERIODS:
        raise InvalidParameterError(
            f"The 'period' parameter of solved_per_period must be one of {', '.join(PERIODS)}. "
            f"Got {period!r} instead."
        )
    engine_function("solved_per_period", tickets)  # a Dask or Spark input: a clear error
    solved_at = np.asarray(ticket_metrics(tickets, definitions=definitions)["first_resolved_at"])
    solved_at = solved_at[~np.isnan(solved_at)]
    labels, counts = np.unique(period_labels(solved_at, period, timezone), return_counts=True)
    return MetricTable(
        columns=("period", "solved"),
        rows=tuple(zip(labels.tolist(), counts.tolist(), strict=True)),
        index=("period",),
    )


def status_breakdown(tickets: Any) -> MetricTable:
    """Tickets per current status, and whether that status is open or closed.

    Parameters
    ----------
    tickets : tickets

    Returns
    -------
    MetricTable
        ``status`` (all six, in workflow order), ``state`` (``"open"`` for new,
        open, pending, on_hold; ``"closed"`` for solved and closed), ``tickets``,
        ``share``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> tickets = [Ticket(id=i, created_at=t0, status=s)
    ...            for i, s in enumerate(["open", "open", "pending", "solved"])]
    >>> [row for row in status_breakdown(tickets).rows if row[2]]
    [('open', 'open', 2, 0.5), ('pending', 'open', 1, 0.25), ('solved', 'closed', 1, 0.25)]
    """
    status = as_ticket_batch(tickets).status
    counts = np.bincount(status.astype(np.int64), minlength=len(TICKET_STATUSES))
    total = int(counts.sum())
    rows = tuple(
        (name, "open" if name in OPEN_STATUSES else "closed", int(count),
         count / total if total else float("nan"))
        for name, count in zip(TICKET_STATUSES, counts.tolist(), strict=True)
    )  # fmt: skip
    return MetricTable(
        columns=("status", "state", "tickets", "share"), rows=rows, index=("status",)
    )
