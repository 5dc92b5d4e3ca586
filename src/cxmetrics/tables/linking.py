"""History rows linked to their tickets by ``ticket_id``, and checked as events.

Every history table (interactions or messages, calls, status changes,
assignments, priority changes, tags) names its ticket by id. :func:`_ticket_rows`
finds the ticket of each row: histories are usually grouped by ticket, so their
ids come in runs and only the runs are looked up, by a binary search when the
ids are sorted and of one width. :func:`_link` then reads a table's ``at`` and
reports the rows naming no ticket (``unknown_ticket``), without a time
(``missing``) or before their ticket's creation (``before_creation``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.tables.arrow import fixed_values, string_offsets, take, valid_mask
from cxmetrics.tables.columns import Table
from cxmetrics.tables.frame_rules import (
    BoolArray,
    FloatArray,
    IntArray,
    _arrow,
    _iso,
    _Rows,
)
from cxmetrics.tables.problems import Problems


@dataclass
class _TicketIds:
    """The tickets' ids, for linking history rows to tickets."""

    text: Any  # cleaned pyarrow strings
    objects: npt.NDArray[np.object_]

    def positions(self, values: Any, match_null: bool = False) -> IntArray:
        """The ticket index of each value, -1 for none.

        A missing value is -1 too, unless ``match_null``: then it takes the first
        ticket without an id (what a hash lookup of nulls does).
        """
        _, pc = _arrow()
        if values.equals(self.text):
            # Histories written in ticket order, every ticket present: nothing to look up.
            lookup = np.arange(len(values), dtype=np.int64)
        elif (
            (sorted_ids := self.sorted_bytes) is not None
            and (queries := _fixed_width(values)) is not None
            and queries.dtype == sorted_ids.dtype
        ):
            # Ids of one width in sorted order: a binary search, no hash table of them all.
            sorted_words, query_words = _words(sorted_ids), _words(queries)
            found = np.minimum(np.searchsorted(sorted_words, query_words), sorted_ids.size - 1)
            lookup = np.where(sorted_words[found] == query_words, found, -1).astype(np.int64)
        else:
            hits = pc.index_in(values, value_set=self.text)
            lookup = np.asarray(fixed_values(hits), dtype=np.int64).copy()
            valid = valid_mask(hits)
            if valid is not None:
                lookup[~valid] = -1
        missing = valid_mask(values)
        if missing is not None:
            first = -1
            has_id = valid_mask(self.text)
            if match_null and has_id is not None:
                first = int(np.argmin(has_id))
            lookup[~missing] = first
        return lookup

    @cached_property
    def sorted_bytes(self) -> npt.NDArray[np.bytes_] | None:
        """The ids as fixed-width bytes when they all have one width and are sorted."""
        ids = _fixed_width(self.text)
        if ids is None or not ids.size:
            return None
        words = _words(ids)
        if not bool((words[1:] > words[:-1]).all()):
            return None
        return ids


def _words(ids: npt.NDArray[np.bytes_]) -> npt.NDArray[Any]:
    """Fixed-width ids of 1, 2, 4 or 8 bytes as big-endian unsigned integers (a view).

    Equal-width byte strings compare as their bytes do, first byte first (numpy's
    ``S`` comparison, ``memcmp``), which is how big-endian integers compare: the
    same order and equality, at the cost of one integer comparison instead of a
    string comparison (a third of the time of a binary search). Other widths
    stay bytes.
    """
    size = ids.dtype.itemsize
    if size not in (1, 2, 4, 8):
        return ids
    return ids.view(f">u{size}")


def _fixed_width(text: Any) -> npt.NDArray[np.bytes_] | None:
    """Strings all of one byte length (and no nulls) as a numpy bytes view, else None."""
    pa, _ = _arrow()
    if text.null_count or not len(text) or not pa.types.is_string(text.type):
        return None
    offsets = string_offsets(text)
    width = int(offsets[1] - offsets[0])
    if not 0 < width <= 64 or int(offsets[-1] - offsets[0]) != width * len(text):
        return None
    if not bool((np.diff(offsets) == width).all()):
        return None
    data = text.buffers()[2]
    return np.frombuffer(data, dtype=f"S{width}", count=len(text), offset=int(offsets[0]))


@dataclass
class _Linked:
    """History rows linked to tickets, and their runs when grouped by ticket."""

    ticket: IntArray  # ticket index of each row, -1 when unknown
    value: Callable[[int], Any]  # the cleaned ticket_id of a row
    starts: IntArray | None = None  # first row of each run of equal ids
    lengths: IntArray | None = None
    run_ticket: IntArray | None = None


def _ticket_rows(table: Table, tickets: _TicketIds, match_null: bool = False) -> _Linked:
    """Link the ``ticket_id`` of each row of ``table`` to a ticket.

    History tables are usually grouped by ticket, so their ids come in runs; one
    run-end encoding (adjacent comparisons) replaces hashing every row.
    """
    pa, _ = _arrow()
    chunks = table.chunks("ticket_id")
    kind = chunks[0].type
    runnable = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    if table.n and (runnable or pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        ends, values, start, last = [], [], 0, None
        for chunk in chunks:
            run_ends, run_values = _runs(chunk)
            run_ends += start
            if len(run_values) and last is not None and run_values[0].equals(last):
                # A run going on across two row groups is one run.
                next(e for e in reversed(ends) if e.size)[-1] = run_ends[0]
                run_ends, run_values = run_ends[1:], run_values.slice(1)
            ends.append(run_ends)
            values.append(run_values)
            start += len(chunk)
            last = run_values[-1] if len(run_values) else last
        run_ends = np.concatenate(ends)
        # Unless every row starts a run, linking runs beats hashing rows.
        if run_ends.size < table.n:
            run_values = pa.concat_arrays(values) if len(values) > 1 else values[0]
            if not run_values.equals(tickets.text):  # the ids as the tickets give them are clean
                run_values = table._clean(run_values)
            lookup = tickets.positions(run_values, match_null)
            lengths = np.diff(run_ends, prepend=0)

            def run_value(row: int) -> Any:
                return run_values[int(np.searchsorted(run_ends, row, side="right"))].as_py()

            ticket = np.repeat(lookup, lengths)
            return _Linked(ticket, run_value, run_ends - lengths, lengths, lookup)
    # Not grouped: a dictionary of the distinct ids is cheaper.
    indices, dictionary = table.encoded("ticket_id")
    lookup = tickets.positions(dictionary, match_null)

    def dictionary_value(row: int) -> Any:
        return None if indices[row] < 0 else dictionary[int(indices[row])].as_py()

    return _Linked(take(np.append(lookup, -1), indices), dictionary_value)


def _runs(chunk: Any) -> tuple[IntArray, Any]:
    """``(ends, values)`` of the runs of equal values in one pyarrow array."""
    pa, pc = _arrow()
    fixed = _fixed_width(chunk)
    if fixed is None:
        runs = pc.run_end_encode(chunk)
        return np.asarray(fixed_values(runs.run_ends), dtype=np.int64), runs.values
    # Ids of one width: compare neighbours as machine words rather than as strings.
    width = fixed.dtype.itemsize
    size = next(k for k in (8, 4, 2, 1) if width % k == 0)
    words = fixed.view(f"u{size}").reshape(fixed.size, width // size)
    differs = words[1:] != words[:-1]
    change = differs[:, 0] if differs.shape[1] == 1 else differs.any(axis=1)
    starts = np.flatnonzero(change) + 1
    firsts = np.concatenate([[0], starts]).astype(np.int64)
    index = pa.Array.from_buffers(pa.int64(), firsts.size, [None, pa.py_buffer(firsts)])
    return np.append(starts, fixed.size).astype(np.int64), chunk.take(index)


def _row_ids(linked: _Linked, ids: npt.NDArray[np.object_]) -> _Rows:
    """The id of each row's ticket, or the row's own ticket_id when it names none."""

    def get(row: int) -> Any:
        index = int(linked.ticket[row])
        return ids[index] if index >= 0 else linked.value(row)

    return _Rows(get)


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """The rows ``starts[i]:starts[i] + lengths[i]`` of every i, concatenated."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)


@dataclass
class _Events:
    """Rows of one history table, linked to tickets."""

    name: str
    table: Table
    ticket: IntArray  # ticket index, -1 when unknown
    at: FloatArray
    ticket_ids: _Rows
    bad: BoolArray
    in_order: bool | None = None  # rows known to be in (ticket, time) order; None: unknown
    counts: npt.NDArray[Any] | None = None  # rows per ticket, when known from the runs


def _link(table: Table, tickets: _TicketIds, problems: Problems, created: FloatArray) -> _Events:
    table.require("ticket_id", "at")
    linked = _ticket_rows(table, tickets)
    ticket = linked.ticket
    found = ticket >= 0
    ticket_ids = _row_ids(linked, tickets.objects)
    name = table.name
    problems.add(
        ~found, ids=ticket_ids, field=f"{name}.ticket_id", code="unknown_ticket",
        message="ticket_id names no ticket in the tickets table", inputs=ticket_ids,
    )  # fmt: skip
    at, bad_at = table.instants("at", problems, ticket_ids)
    no_time = np.isnan(at) & ~bad_at
    problems.add(no_time, ids=ticket_ids, field=f"{name}.at", code="missing",
                 message="Field required")  # fmt: skip
    # Grouped rows with every time given: where does time go back, and is that only
    # where a run (ticket) starts? Then each run starts at its earliest time.
    in_order, within = None, False
    starts, run_ticket = linked.starts, linked.run_ticket
    if starts is not None and run_ticket is not None and not (no_time.any() or bad_at.any()):
        back = np.flatnonzero(at[1:] < at[:-1]) + 1
        # Time going back where the ticket changes is where a run starts.
        within = not bool((ticket[back] == ticket[back - 1]).any())
        if found.all():
            in_order = within and bool((run_ticket[1:] >= run_ticket[:-1]).all())
    before = _before_creation(at, linked, created, within)
    problems.add(
        before, ids=ticket_ids, field=f"{name}.at", code="before_creation",
        message=lambda r: f"{name} row at ({_iso(at[r])}) is before created_at "
        f"({_iso(created[ticket[r]])}); an event cannot precede the ticket",
    )  # fmt: skip
    bad = ~found | bad_at | no_time | before
    counts = None
    if in_order and run_ticket is not None and linked.lengths is not None:
        weighted = np.bincount(run_ticket, weights=linked.lengths, minlength=created.size)
        counts = weighted.astype(np.int64)
    return _Events(name, table, ticket, at, ticket_ids, bad, in_order, counts)


def _before_creation(
    at: FloatArray, linked: _Linked, created: FloatArray, ordered_runs: bool
) -> BoolArray:
    """Rows of a known ticket whose time is before the ticket's creation.

    ``ordered_runs``: the times within each run are known not to decrease.
    """
    ticket = linked.ticket
    if created.size == 0 or at.size == 0:
        return np.zeros(at.size, dtype=bool)
    if linked.starts is None or linked.lengths is None or linked.run_ticket is None:
        found = ticket >= 0
        return found & (at < created[np.maximum(ticket, 0)])
    # Grouped rows: compare the earliest time of each run, then only the runs flagged.
    earliest = at[linked.starts] if ordered_runs else np.fmin.reduceat(at, linked.starts)
    run_ticket = linked.run_ticket
    flagged = (run_ticket >= 0) & (earliest < created[np.maximum(run_ticket, 0)])
    before = np.zeros(at.size, dtype=bool)
    if flagged.any():
        rows = _ranges(linked.starts[flagged], linked.lengths[flagged])
        before[rows] = at[rows] < created[ticket[rows]]
    return before
