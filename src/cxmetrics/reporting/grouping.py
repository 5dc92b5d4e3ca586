"""Cutting a report's input into groups: by segment, then by local period.

Each input is cut once; every metric of that input reads the same groups, as
subsets of the input (:func:`subset`) or, for SLA compliance, as the outcomes of
their tickets (:func:`outcome_cutter`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.core.periods import local_wall_time, period_labels
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES
from cxmetrics.tables.schema import RecordTable
from cxmetrics.tables.ticket_batch import CREATED_BY, Categorical, TicketBatch, rows_of_tickets
from cxmetrics.tickets.cache import measure_as_subset

__all__ = [
    "TICKET_CODES",
    "Groups",
    "Parts",
    "cut_groups",
    "group_rows",
    "outcome_cutter",
    "period_codes",
    "subset",
]

TICKET_CODES = {
    "priority": PRIORITIES,
    "status": TICKET_STATUSES,
    "created_by": CREATED_BY,
}

"""Ticket fields held as integer codes into these labels (``-1``: no value)."""


def _instants(kind: str, data: Any) -> npt.NDArray[np.float64]:
    if kind == "tickets":
        return np.asarray(data.created_at, dtype=np.float64)
    column = {
        "surveys": "responded_at",
        "staff_surveys": "responded_at",
        "calls": "at",
        "customers": "since",
        "qa_evaluations": "evaluated_at",
        "callbacks": "requested_at",
    }[kind]
    if isinstance(data, RecordTable):
        return np.asarray(data[column], dtype=np.float64)
    return np.array(
        [np.nan if getattr(item, column, None) is None else getattr(item, column).timestamp()
         for item in data],
        dtype=np.float64,
    )  # fmt: skip


def _segment_codes(kind: str, data: Any, name: str) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Integer codes of the ``name`` value of every row and their labels.

    Rows without a value are ``"(none)"``; an input without the field is one
    ``"(all)"`` segment.
    """
    n = len(data)
    if kind == "tickets":
        column = getattr(data, name, None)
        if isinstance(column, Categorical):
            # Segments in alphabetical order, whatever order the categories came in.
            order = np.argsort(np.array(column.categories, dtype=str))
            rank = np.empty(len(order) + 1, dtype=np.int64)
            rank[order] = np.arange(len(order))
            rank[-1] = len(order)
            codes = rank[np.where(column.codes < 0, len(order), column.codes)]
            return codes, [*sorted(column.categories), "(none)"]
        if name in TICKET_CODES and column is not None:
            names = TICKET_CODES[name]
            return np.where(column < 0, len(names), column).astype(np.int64), [*names, "(none)"]
        return np.zeros(n, dtype=np.int64), ["(all)"]
    if isinstance(data, RecordTable):
        values = data.get(name)
    elif data and all(hasattr(item, name) for item in data):
        values = np.empty(n, dtype=object)
        values[:] = [getattr(item, name) for item in data]
    else:
        values = None
    if values is None:
        return np.zeros(n, dtype=np.int64), ["(all)"]
    none: Any = None
    missing = np.asarray(np.equal(values, none), dtype=bool)
    labels, codes = np.unique(np.asarray(values)[~missing].astype(str), return_inverse=True)
    out = np.full(n, labels.size, dtype=np.int64)  # "(none)" sorts last, as for tickets
    out[~missing] = codes.ravel()
    return out, [*(str(label) for label in labels.tolist()), "(none)"]


Groups = dict[tuple[tuple[str, str], ...], list[tuple[str, npt.NDArray[np.int64]]]]
"""Per segment, its periods in order, each with the (ascending) row positions in it."""

Parts = dict[tuple[tuple[str, str], ...], list[tuple[str, Any]]]
"""Per segment, its periods in order, each with the part of the input in it."""


def subset(kind: str, data: Any, positions: npt.NDArray[np.int64]) -> Any:
    """The rows of ``data`` (a ``kind`` input) at ``positions``, in the same form."""
    if isinstance(data, TicketBatch):
        part = data.select(positions)
        measure_as_subset(part, data, positions)  # cut from one measurement of the whole
        return part
    if isinstance(data, RecordTable):
        return data.select(positions)
    return [data[i] for i in positions.tolist()]


def cut_groups(groups: Groups, cut: Callable[[npt.NDArray[np.int64]], Any]) -> Parts:
    """The groups with each position array replaced by ``cut(positions)``."""
    return {
        segment: [(label, cut(positions)) for label, positions in periods]
        for segment, periods in groups.items()
    }


def outcome_cutter(outcomes: Any) -> Callable[[npt.NDArray[np.int64]], Any]:
    """Cut SLA outcomes by ticket positions: equal to evaluating those tickets alone.

    Outcomes depend on their ticket only, so a report evaluates the whole batch
    once and hands each group the rows of its tickets (in their original order,
    tickets renumbered), instead of evaluating every group again.
    """
    ticket = np.asarray(outcomes.raw("ticket"), dtype=np.int64)
    by_ticket = np.argsort(ticket, kind="stable")
    size = int(ticket.max()) + 2 if ticket.size else 1
    starts = np.searchsorted(ticket[by_ticket], np.arange(size), side="left")

    def cut(positions: npt.NDArray[np.int64]) -> Any:
        rows = np.sort(by_ticket[rows_of_tickets(starts, positions)[0]])
        part = outcomes.select(rows)
        part.columns["ticket"][:] = np.searchsorted(positions, ticket[rows])
        return part

    return cut


def group_rows(kind: str, data: Any, period: str | None, tz: str, by: Sequence[str]) -> Groups:
    """The rows of the input by segment, then by period (labels sorted)."""
    n = len(data)
    if n == 0:
        everything = np.arange(0, dtype=np.int64)
        return (
            {tuple((name, "(all)") for name in by): [("all", everything)]} if period is None else {}
        )
    if period is None:
        period_names, period_code = ["all"], np.zeros(n, dtype=np.int64)
    else:
        period_code, period_names = period_codes(_instants(kind, data), period, tz)
    segment_code = np.zeros(n, dtype=np.int64)
    segment_names: list[list[str]] = []
    for name in by:
        codes, names = _segment_codes(kind, data, name)
        segment_code = segment_code * len(names) + codes
        segment_names.append(names)
    key = segment_code * len(period_names) + period_code
    order = np.argsort(key, kind="stable")  # stable: positions ascend within a group
    distinct, starts = np.unique(key[order], return_index=True)
    ends = np.r_[starts[1:], n]
    out: Groups = {}
    for value, start, end in zip(distinct.tolist(), starts.tolist(), ends.tolist(), strict=True):
        segment, label = divmod(value, len(period_names))
        parts = []
        for names in reversed(segment_names):
            segment, code = divmod(segment, len(names))
            parts.append(names[code])
        segment_key = tuple(zip(by, reversed(parts), strict=True))
        out.setdefault(segment_key, []).append((period_names[label], order[start:end]))
    return out


def period_codes(
    seconds: npt.NDArray[np.float64], period: str, tz: str
) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Integer period of every instant and the sorted labels (``"unknown"`` last).

    Periods are told apart by integers (local day, month, or the Thursday of the
    ISO week); only one instant per period is turned into a label.
    """
    known = ~np.isnan(seconds)
    local = np.zeros(seconds.size, dtype=np.int64)
    if known.any():
        days_of = local_wall_time(seconds[known], tz).astype("datetime64[D]")
        days = days_of.astype(np.int64)
        if period == "day":
            key = days
        elif period == "week":
            key = days - (days + 3) % 7 + 3  # the Thursday decides the ISO week
        else:
            months = days_of.astype("datetime64[M]").astype(np.int64)
            key = {"month": months, "quarter": months // 3, "year": months // 12}[period]
        local[known] = key
    _, first, inverse = np.unique(local[known], return_index=True, return_inverse=True)
    labels = period_labels(seconds[known][first], period, tz).tolist() if first.size else []
    codes = np.full(seconds.size, len(labels), dtype=np.int64)  # unknown: after the rest
    codes[known] = inverse.ravel()
    if not known.all():
        labels.append("unknown")
    return codes, [str(label) for label in labels]
