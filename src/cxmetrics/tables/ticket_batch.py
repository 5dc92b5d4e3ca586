"""The columnar ticket batch: tickets and their histories as numpy arrays.

Every ticket metric, the SLA evaluator and the report work on a
:class:`TicketBatch`, never on a list of objects: records (or, through
``cxmetrics.io``, DataFrames) are validated and converted once at the boundary, and
the kernels are vectorised numpy over these columns.

Layout
------
Instants are float64 seconds since the Unix epoch, UTC (``NaN`` = missing); float64
keeps well under a microsecond of precision for any date in this century. Each
history (interactions, status changes, assignments, priority changes) is an
:class:`EventTable` in compressed sparse row form: its rows are sorted by ticket,
then by time, and ``offsets[i]:offsets[i + 1]`` are the rows of ticket ``i``.
Repeated strings (channel, group, agent…) are stored as a :class:`Categorical`
(integer codes into a tuple of categories, ``-1`` = missing), which makes grouping
a ``bincount``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

from cxmetrics.exceptions import InvalidParameterError, RecordValidationError
from cxmetrics.models.ticket import PRIORITIES, TICKET_STATUSES, Ticket

__all__ = [
    "AUTHORS",
    "CREATED_BY",
    "DIRECTIONS",
    "Categorical",
    "EventTable",
    "TakenColumns",
    "TicketBatch",
    "rows_of_tickets",
    "to_epoch_seconds",
]

AUTHORS: tuple[str, ...] = ("customer", "agent", "bot", "system")
"""Codes of ``interactions["author"]``: the index in this tuple."""
CREATED_BY: tuple[str, ...] = ("customer", "agent", "system")
"""Codes of ``TicketBatch.created_by``."""
DIRECTIONS: tuple[str, ...] = ("inbound", "outbound")
"""Codes of ``interactions["direction"]``."""
KIND_MESSAGE, KIND_CALL = 0, 1
"""Codes of ``interactions["kind"]``."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def to_epoch_seconds(value: datetime | None) -> float:
    """Return an aware datetime as float seconds since the epoch (``nan`` for None).

    Examples
    --------
    >>> from datetime import timezone
    >>> to_epoch_seconds(datetime(1970, 1, 2, tzinfo=timezone.utc))
    86400.0
    """
    return float("nan") if value is None else value.timestamp()


@dataclass(frozen=True, eq=False)
class Categorical:
    """Strings as integer codes into ``categories``; code ``-1`` means missing.

    Examples
    --------
    >>> c = Categorical.from_values(["email", None, "chat", "email"])
    >>> c.categories, c.codes.tolist()
    (('chat', 'email'), [1, -1, 0, 1])
    >>> c.to_list()
    ['email', None, 'chat', 'email']
    """

    codes: npt.NDArray[np.int32]
    categories: tuple[str, ...]

    @classmethod
    def from_values(cls, values: Iterable[str | None]) -> Categorical:
        """Encode a sequence of strings (``None`` for missing), categories sorted."""
        items = list(values)
        categories = tuple(sorted({v for v in items if v is not None}))
        index = {c: i for i, c in enumerate(categories)}
        codes = np.fromiter(
            (-1 if v is None else index[v] for v in items), dtype=np.int32, count=len(items)
        )
        return cls(codes, categories)

    def __len__(self) -> int:
        return int(self.codes.size)

    def to_list(self) -> list[str | None]:
        """Decode back to a list of strings and ``None``."""
        lookup = np.array([*self.categories, None], dtype=object)
        return list(lookup[self.codes])

    def take(self, index: npt.NDArray[np.intp]) -> Categorical:
        """Return the rows at ``index`` (categories kept)."""
        return Categorical(self.codes[index], self.categories)

    def code_of(self, value: str) -> int:
        """Return the code of ``value``, or ``-2`` (matches nothing) when absent."""
        try:
            return self.categories.index(value)
        except ValueError:
            return -2


class TakenColumns(Mapping[str, Any]):
    """The columns of ``source`` at rows ``index``, each cut on its first read.

    A report cuts one batch (and one measurement) into hundreds of groups, and
    each metric reads a few of the columns: cutting them all up front costs more
    than the metrics. ``replaced`` columns are given whole. Pickled, it becomes a
    plain dict of the cut columns (a partition does not carry its parent).

    Examples
    --------
    >>> taken = TakenColumns({"x": np.array([5.0, 6.0, 7.0])}, np.array([2, 0]))
    >>> taken["x"].tolist(), taken.length
    ([7.0, 5.0], 2)
    >>> import pickle
    >>> pickle.loads(pickle.dumps(taken))
    {'x': array([7., 5.])}
    """

    def __init__(
        self,
        source: Mapping[str, Any],
        index: npt.NDArray[np.int64],
        replaced: Mapping[str, Any] | None = None,
    ) -> None:
        self._source = source
        self._index = index
        self._cut: dict[str, Any] = dict(replaced or {})
        self.length = int(index.size)

    def __getitem__(self, name: str) -> Any:
        if name not in self._cut:
            column = self._source[name]  # KeyError for an unknown name, as a dict
            self._cut[name] = (
                column.take(self._index) if isinstance(column, Categorical) else column[self._index]
            )
        return self._cut[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._source
        yield from (name for name in self._cut if name not in self._source)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:  # without cutting the column
        return name in self._cut or name in self._source

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self.items()),))

    def extended(self, extra: Mapping[str, Any]) -> TakenColumns:
        """``{**self, **extra}`` with the columns not cut yet still cut on their first read.

        Examples
        --------
        >>> taken = TakenColumns({"x": np.array([5.0, 6.0])}, np.array([1]))
        >>> more = taken.extended({"y": np.array([9.0])})
        >>> list(more), more["x"].tolist(), more.length
        (['x', 'y'], [6.0], 1)
        """
        return TakenColumns(self._source, self._index, {**self._cut, **extra})


def rows_of_tickets(
    offsets: IntArray, index: npt.NDArray[np.intp]
) -> tuple[IntArray, IntArray, IntArray]:
    """Rows of the tickets at ``index`` in a CSR layout, in the order of ``index``.

    ``offsets[i]:offsets[i + 1]`` are ticket ``i``'s rows. Returns the rows, the
    new offsets (one per selected ticket, plus the end) and each row's new ticket
    number; the cost is proportional to the rows selected, with no loop.

    Examples
    --------
    >>> rows, new_offsets, ticket = rows_of_tickets(np.array([0, 2, 2, 5]), np.array([2, 0]))
    >>> rows.tolist(), new_offsets.tolist(), ticket.tolist()
    ([2, 3, 4, 0, 1], [0, 3, 5], [0, 0, 0, 1, 1])
    """
    counts = offsets[index + 1] - offsets[index]
    new_offsets = np.zeros(index.size + 1, dtype=np.int64)
    np.cumsum(counts, out=new_offsets[1:])
    rows = np.repeat(offsets[index] - new_offsets[:-1], counts) + np.arange(new_offsets[-1])
    ticket = np.repeat(np.arange(index.size, dtype=np.int64), counts)
    return rows, new_offsets, ticket


@dataclass(frozen=True, eq=False)
class EventTable:
    """One history of every ticket, in compressed sparse row form.

    Attributes
    ----------
    offsets : int64 array of length n_tickets + 1
        Rows ``offsets[i]:offsets[i + 1]`` belong to ticket ``i``.
    ticket : int64 array
        Ticket index of each row (``repeat(arange(n), diff(offsets))``).
    at : float64 array
        Instant of each row, epoch seconds; non-decreasing within a ticket.
    columns : dict of str to array or Categorical
        The other columns, one value per row.
    """

    offsets: IntArray
    ticket: IntArray
    at: FloatArray
    columns: Mapping[str, Any]

    @classmethod
    def build(
        cls, ticket: IntArray, at: FloatArray, columns: Mapping[str, Any], n_tickets: int
    ) -> EventTable:
        """Build a table from unsorted rows: sorts by (ticket, at), stably."""
        order = np.lexsort((at, ticket))
        ticket = ticket[order]
        columns = {
            name: col.take(order) if isinstance(col, Categorical) else col[order]
            for name, col in columns.items()
        }
        counts = np.bincount(ticket, minlength=n_tickets)
        offsets = np.zeros(n_tickets + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(offsets, ticket, at[order], columns)

    @classmethod
    def empty(cls, n_tickets: int) -> EventTable:
        """A table with no rows for ``n_tickets`` tickets."""
        return cls(
            np.zeros(n_tickets + 1, dtype=np.int64),
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.float64),
            {},
        )

    def __len__(self) -> int:
        return int(self.at.size)

    def __getitem__(self, name: str) -> Any:
        return self.columns[name]

    @property
    def counts(self) -> IntArray:
        """Number of rows per ticket."""
        return np.diff(self.offsets)

    def select_tickets(self, index: npt.NDArray[np.intp]) -> EventTable:
        """Return the rows of the tickets at ``index``, renumbered 0..len(index)-1.

        The rows are cut on the first read of the result (a report cuts every
        history into hundreds of groups and reads few of them).

        Examples
        --------
        >>> table = EventTable(np.array([0, 2, 3]), np.array([0, 0, 1]), np.array([1.0, 2.0, 5.0]),
        ...                    {"x": np.array([7, 8, 9])})
        >>> part = table.select_tickets(np.array([1]))
        >>> part.offsets.tolist(), part.at.tolist(), part["x"].tolist(), len(part)
        ([0, 1], [5.0], [9], 1)
        """
        return _TakenEvents(self, index)

    def _cut_tickets(self, index: npt.NDArray[np.intp]) -> EventTable:
        rows, offsets, ticket = rows_of_tickets(self.offsets, index)
        # The other columns are cut when read: most kernels read one or two.
        return EventTable(offsets, ticket, self.at[rows], TakenColumns(self.columns, rows))


class _TakenEvents(EventTable):
    """The rows of the tickets at ``index`` of ``source``, cut on the first read.

    Reads as the :class:`EventTable` that ``source._cut_tickets(index)`` returns;
    pickled, it becomes that plain table (a partition does not carry its parent).
    """

    def __init__(self, source: EventTable, index: npt.NDArray[np.intp]) -> None:
        # Not the dataclass __init__: the fields are read through the cut table.
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_table", None)

    def _cut(self) -> EventTable:
        table: EventTable | None = self.__dict__["_table"]
        if table is None:
            table = self.__dict__["_source"]._cut_tickets(self.__dict__["_index"])
            object.__setattr__(self, "_table", table)
        return table

    @property
    def offsets(self) -> IntArray:
        return self._cut().offsets

    @property
    def ticket(self) -> IntArray:
        return self._cut().ticket

    @property
    def at(self) -> FloatArray:
        return self._cut().at

    @property
    def columns(self) -> Mapping[str, Any]:
        return self._cut().columns

    def __reduce__(self) -> tuple[Any, ...]:
        table = self._cut()
        return (EventTable, (table.offsets, table.ticket, table.at, dict(table.columns)))


@dataclass(frozen=True, eq=False)
class TicketBatch:
    """Tickets and their histories as numpy columns (see the module docstring).

    Build one with :meth:`from_tickets` (or :func:`as_ticket_batch`, which also
    passes a batch through). Kernels read it; nothing writes to it.

    Attributes
    ----------
    ids : object array of str
    created_at, first_reply_at, solved_at : float64 arrays (epoch seconds, NaN = missing)
    channel, group, segment, customer_id, agent_id : Categorical
    priority : int8 array, index into :data:`cxmetrics.models.ticket.PRIORITIES`, -1 = none
    status : int8 array, index into ``TICKET_STATUSES``
    created_by : int8 array, index into :data:`CREATED_BY`
    tags : EventTable
        One row per (ticket, tag), column ``tag`` (Categorical); ``at`` is the
        ticket's creation (tags carry no time of their own).
    interactions : EventTable
        Columns ``kind`` (0 message, 1 call), ``author`` (codes of :data:`AUTHORS`;
        calls are ``agent``), ``public``, ``automated``, ``agent_id`` (Categorical),
        and for calls ``wait``, ``talk``, ``hold``, ``wrap`` (seconds; 0 for
        messages), ``abandoned``, ``transferred``, ``direction``.
    status_changes : EventTable
        Column ``status`` (codes of ``TICKET_STATUSES``).
    assignments : EventTable
        Columns ``agent_id`` and ``group`` (Categorical).
    priority_changes : EventTable
        Column ``priority`` (codes of ``PRIORITIES``).

    Examples
    --------
    >>> from datetime import timezone
    >>> from cxmetrics import Message, Ticket
    >>> t0 = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> batch = TicketBatch.from_tickets([
    ...     Ticket(id="A", created_at=t0, interactions=[
    ...         Message(at=t0.replace(hour=10), author="agent")]),
    ...     Ticket(id="B", created_at=t0, channel="chat"),
    ... ])
    >>> len(batch), batch.interactions.offsets.tolist(), batch.channel.to_list()
    (2, [0, 1, 1], ['email', 'chat'])
    """

    ids: npt.NDArray[np.object_]
    created_at: FloatArray
    first_reply_at: FloatArray
    solved_at: FloatArray
    channel: Categorical
    group: Categorical
    segment: Categorical
    customer_id: Categorical
    agent_id: Categorical
    priority: npt.NDArray[np.int8]
    status: npt.NDArray[np.int8]
    created_by: npt.NDArray[np.int8]
    tags: EventTable
    interactions: EventTable
    status_changes: EventTable
    assignments: EventTable
    priority_changes: EventTable

    def __len__(self) -> int:
        return int(self.ids.size)

    @classmethod
    def from_tickets(cls, tickets: Iterable[Ticket]) -> TicketBatch:
        """Convert validated :class:`~cxmetrics.Ticket` objects, in one pass.

        Raises
        ------
        TypeError
            When an item is not a ``Ticket``.
        RecordValidationError
            When two tickets share an id (every duplicated id is named).
        """
        rows = list(tickets)
        for position, ticket in enumerate(rows):
            if not isinstance(ticket, Ticket):
                raise InvalidParameterError(
                    f"expected Ticket objects; item {position} is {type(ticket).__name__} "
                    "(build tickets with Ticket(...) or cxmetrics.validate_records)"
                )
        n = len(rows)
        ids = np.array([t.id for t in rows], dtype=object)
        _check_unique_ids(ids)
        priority_code = {p: i for i, p in enumerate(PRIORITIES)}
        status_code = {s: i for i, s in enumerate(TICKET_STATUSES)}
        return cls(
            ids=ids,
            created_at=np.array([t.created_at.timestamp() for t in rows], dtype=np.float64),
            first_reply_at=np.array(
                [to_epoch_seconds(t.first_reply_at) for t in rows], dtype=np.float64
            ),
            solved_at=np.array([to_epoch_seconds(t.solved_at) for t in rows], dtype=np.float64),
            channel=Categorical.from_values(t.channel for t in rows),
            group=Categorical.from_values(t.group for t in rows),
            segment=Categorical.from_values(t.segment for t in rows),
            customer_id=Categorical.from_values(t.customer_id for t in rows),
            agent_id=Categorical.from_values(t.agent_id for t in rows),
            priority=np.array(
                [-1 if t.priority is None else priority_code[t.priority] for t in rows],
                dtype=np.int8,
            ),
            status=np.array([status_code[t.status] for t in rows], dtype=np.int8),
            created_by=np.array([CREATED_BY.index(t.created_by) for t in rows], dtype=np.int8),
            tags=_tags_table(rows, n),
            interactions=_interactions_table(rows, n),
            status_changes=_event_table(
                rows, n, "status_changes", {"status": lambda e: status_code[e.status]}
            ),
            assignments=_event_table(rows, n, "assignments", {"agent_id": None, "group": None}),
            priority_changes=_event_table(
                rows, n, "priority_changes", {"priority": lambda e: priority_code[e.priority]}
            ),
        )

    def select(self, index: npt.ArrayLike) -> TicketBatch:
        """Return the tickets at ``index`` (integer positions or a boolean mask).

        Examples
        --------
        >>> from datetime import timezone
        >>> from cxmetrics import Ticket
        >>> t0 = datetime(2024, 3, 1, tzinfo=timezone.utc)
        >>> batch = TicketBatch.from_tickets([Ticket(id=i, created_at=t0) for i in "xyz"])
        >>> batch.select(batch.ids != "y").ids.tolist()
        ['x', 'z']
        """
        positions = np.asarray(index)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
        positions = positions.astype(np.intp, copy=False)
        values: dict[str, Any] = {}
        for f in fields(self):
            column = getattr(self, f.name)
            if isinstance(column, EventTable):
                values[f.name] = column.select_tickets(positions)
            elif isinstance(column, Categorical):
                values[f.name] = column.take(positions)
            else:
                values[f.name] = column[positions]
        return replace(self, **values)

    def split(self, parts: int) -> list[TicketBatch]:
        """Split into ``parts`` contiguous batches (for partitioned computation)."""
        bounds = np.linspace(0, len(self), parts + 1).astype(np.intp)
        return [self.select(np.arange(a, b)) for a, b in itertools.pairwise(bounds)]

    def with_(self, **changes: Any) -> Self:
        """Return a copy with some columns replaced (used by loaders)."""
        return replace(self, **changes)


def _check_unique_ids(ids: npt.NDArray[np.object_]) -> None:
    unique, counts = np.unique(ids.astype(str), return_counts=True)
    duplicated = unique[counts > 1]
    if duplicated.size:
        listed = ", ".join(repr(str(d)) for d in duplicated[:10])
        more = f" and {duplicated.size - 10} more" if duplicated.size > 10 else ""
        raise RecordValidationError(
            f"{duplicated.size} ticket id(s) appear more than once in one batch: "
            f"{listed}{more}; each ticket must appear once (merge their histories first)",
            tuple(
                {
                    "position": None,
                    "id": str(d),
                    "field": "id",
                    "type": "duplicate_id",
                    "message": "duplicate ticket id",
                }
                for d in duplicated
            ),
        )


def _event_table(
    rows: Sequence[Ticket], n: int, field: str, extract: Mapping[str, Any]
) -> EventTable:
    events = [(i, e) for i, t in enumerate(rows) for e in getattr(t, field)]
    ticket = np.fromiter((i for i, _ in events), dtype=np.int64, count=len(events))
    at = np.fromiter((e.at.timestamp() for _, e in events), dtype=np.float64, count=len(events))
    columns: dict[str, Any] = {}
    for name, getter in extract.items():
        if getter is None:
            columns[name] = Categorical.from_values(getattr(e, name) for _, e in events)
        else:
            columns[name] = np.fromiter(
                (getter(e) for _, e in events), dtype=np.int8, count=len(events)
            )
    # Ticket histories are already sorted by the model, so offsets follow directly.
    counts = np.bincount(ticket, minlength=n) if events else np.zeros(n, dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return EventTable(offsets, ticket, at, columns)


def _tags_table(rows: Sequence[Ticket], n: int) -> EventTable:
    pairs = [(i, tag) for i, t in enumerate(rows) for tag in dict.fromkeys(t.tags)]
    ticket = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
    created = np.array([t.created_at.timestamp() for t in rows], dtype=np.float64)
    counts = np.bincount(ticket, minlength=n) if pairs else np.zeros(n, dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    tags = Categorical.from_values(tag for _, tag in pairs)
    return EventTable(offsets, ticket, created[ticket], {"tag": tags})


def _interactions_table(rows: Sequence[Ticket], n: int) -> EventTable:
    author_code = {a: i for i, a in enumerate(AUTHORS)}

    def message_or_call(e: Any) -> tuple[Any, ...]:
        if e.kind == "message":
            return (
                0,
                author_code[e.author],
                e.public,
                e.automated,
                e.agent_id,
                0.0,
                0.0,
                0.0,
                0.0,
                False,
                False,
                0,
            )
        return (
            1,
            author_code["agent"],
            True,
            False,
            e.agent_id,
            e.wait.total_seconds(),
            e.talk.total_seconds(),
            e.hold.total_seconds(),
            e.wrap.total_seconds(),
            e.abandoned,
            e.transferred,
            DIRECTIONS.index(e.direction),
        )

    events = [(i, e) for i, t in enumerate(rows) for e in t.interactions]
    values = [message_or_call(e) for _, e in events]
    columns_raw = list(zip(*values, strict=True)) if values else [()] * 12
    ticket = np.fromiter((i for i, _ in events), dtype=np.int64, count=len(events))
    at = np.fromiter((e.at.timestamp() for _, e in events), dtype=np.float64, count=len(events))
    columns: dict[str, Any] = {
        "kind": np.array(columns_raw[0], dtype=np.int8),
        "author": np.array(columns_raw[1], dtype=np.int8),
        "public": np.array(columns_raw[2], dtype=bool),
        "automated": np.array(columns_raw[3], dtype=bool),
        "agent_id": Categorical.from_values(columns_raw[4]),
        "wait": np.array(columns_raw[5], dtype=np.float64),
        "talk": np.array(columns_raw[6], dtype=np.float64),
        "hold": np.array(columns_raw[7], dtype=np.float64),
        "wrap": np.array(columns_raw[8], dtype=np.float64),
        "abandoned": np.array(columns_raw[9], dtype=bool),
        "transferred": np.array(columns_raw[10], dtype=bool),
        "direction": np.array(columns_raw[11], dtype=np.int8),
    }
    counts = np.bincount(ticket, minlength=n) if events else np.zeros(n, dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return EventTable(offsets, ticket, at, columns)
