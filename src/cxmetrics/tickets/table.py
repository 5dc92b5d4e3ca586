"""Columnar result tables: a dict of numpy columns with DataFrame exports.

Some columns may be deferred: a :class:`DeferredColumns` group is computed
together on the first read of any of its columns, and kept. A table's names,
length and membership tests never compute a group; exports do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.tables.ticket_batch import Categorical, TakenColumns

__all__ = ["ColumnTable", "DeferredColumns", "LazyColumns", "TakenColumns", "TicketTable"]


class DeferredColumns:
    """Columns ``names`` of ``length`` rows, computed together by ``compute()`` when first read.

    ``compute`` runs at most once (under a lock: a table may be shared between
    threads), must return exactly ``names``, each ``length`` long, and is
    released afterwards with whatever it held on to.

    Examples
    --------
    >>> calls = []
    >>> group = DeferredColumns(("x", "y"), 2, lambda: calls.append(1) or {"x": [1, 2], "y": [3, 4]})
    >>> group.computed
    False
    >>> group.column("y"), group.column("x"), group.computed, len(calls)
    ([3, 4], [1, 2], True, 1)
    """

    def __init__(
        self, names: tuple[str, ...], length: int, compute: Callable[[], Mapping[str, Any]]
    ) -> None:
        self.names = names
        self.length = length
        self._compute: Callable[[], Mapping[str, Any]] | None = compute
        self._values: dict[str, Any] | None = None
        self._lock = threading.Lock()

    @property
    def computed(self) -> bool:
        """Whether the columns have been computed."""
        return self._values is not None

    def column(self, name: str) -> Any:
        """The column ``name`` of the group, computing the group on the first read."""
        values = self._values
        if values is None:
            with self._lock:
                if self._values is None:
                    assert self._compute is not None
                    self._values = self._checked(self._compute())
                    self._compute = None
                values = self._values
        return values[name]

    def placeholders(self) -> dict[str, DeferredColumns]:
        """``{name: self}`` for every column, to lay the group out among a table's columns."""
        return dict.fromkeys(self.names, self)

    def _checked(self, values: Mapping[str, Any]) -> dict[str, Any]:
        if tuple(values) != self.names:
            raise RuntimeError(f"deferred columns {self.names} computed as {tuple(values)}")
        lengths = {name: len(column) for name, column in values.items()}
        if any(length != self.length for length in lengths.values()):
            raise RuntimeError(f"deferred columns of {self.length} rows computed as {lengths}")
        return dict(values)

    def __repr__(self) -> str:
        state = "computed" if self.computed else "deferred"
        return f"{type(self).__name__}({', '.join(self.names)}: {state})"


class LazyColumns(Mapping[str, Any]):
    """Columns by name, some of them :class:`DeferredColumns` computed on their first read.

    ``entries`` maps each name to its column or to its deferred group, in the
    table's column order (see :meth:`DeferredColumns.placeholders`). Iterating,
    ``len`` and ``in`` never compute; reading a column of a group computes the
    group once. Pickled, it becomes a dict of every column, computed.

    Examples
    --------
    >>> group = DeferredColumns(("b",), 2, lambda: {"b": np.array([3.0, 4.0])})
    >>> columns = LazyColumns({"a": np.array([1, 2]), **group.placeholders(), "c": np.array([5, 6])})
    >>> list(columns), "b" in columns, group.computed
    (['a', 'b', 'c'], True, False)
    >>> columns["b"].tolist(), group.computed
    ([3.0, 4.0], True)
    """

    def __init__(self, entries: Mapping[str, Any]) -> None:
        self._entries: dict[str, Any] = (
            dict(entries._entries) if isinstance(entries, LazyColumns) else dict(entries)
        )

    def __getitem__(self, name: str) -> Any:
        entry = self._entries[name]  # KeyError for an unknown name, as a dict
        return entry.column(name) if isinstance(entry, DeferredColumns) else entry

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self.items()),))

    @property
    def deferred(self) -> tuple[DeferredColumns, ...]:
        """The deferred groups, computed or not, in column order."""
        groups = (entry for entry in self._entries.values() if isinstance(entry, DeferredColumns))
        return tuple(dict.fromkeys(groups))

    def lengths(self) -> dict[str, int]:
        """Every column's length, without computing a deferred group."""
        return {
            name: entry.length if isinstance(entry, DeferredColumns) else len(entry)
            for name, entry in self._entries.items()
        }

    def extended(self, extra: Mapping[str, Any]) -> LazyColumns:
        """``{**self, **extra}`` sharing the deferred groups, none of them computed here."""
        return LazyColumns({**self._entries, **extra})


_HTML_ROWS = 10


class ColumnTable:
    """Equal-length columns by name: numpy arrays or :class:`~cxmetrics.tables.ticket_batch.Categorical`.

    Column access (``table["first_reply"]``) returns the stored array (categoricals
    decoded to an object array of strings and ``None``); :meth:`to_pandas` and
    :meth:`to_polars` keep categoricals as categorical dtypes. Nothing is copied
    until an export asks for it. Columns may be deferred (:class:`LazyColumns`):
    they are computed when first read, by access or by an export.

    Examples
    --------
    >>> t = ColumnTable({"id": np.array(["a", "b"], dtype=object), "x": np.array([1.0, np.nan])})
    >>> len(t), t.names, t["x"].tolist()
    (2, ('id', 'x'), [1.0, nan])
    >>> t.to_dict()
    {'id': ['a', 'b'], 'x': [1.0, nan]}
    """

    def __init__(self, columns: Mapping[str, Any]) -> None:
        if isinstance(columns, TakenColumns):  # rows of another table, cut when read
            self._columns: Mapping[str, Any] = columns
            self._length = columns.length
            return
        lazy = LazyColumns(columns)  # a LazyColumns' groups are shared, not computed
        lengths = lazy.lengths()
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns must have equal lengths, got {lengths}")
        self._columns = lazy
        self._length = next(iter(lengths.values()), 0)

    def __len__(self) -> int:
        return self._length

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __getitem__(self, name: str) -> Any:
        try:
            column = self._columns[name]
        except KeyError:
            known = ", ".join(self._columns)
            raise KeyError(f"no column {name!r}; the columns are {known}") from None
        if isinstance(column, Categorical):
            return np.array(column.to_list(), dtype=object)
        return column

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(self._columns)

    @property
    def columns(self) -> Mapping[str, Any]:
        """The stored columns by name (categoricals stay encoded)."""
        return self._columns

    def raw(self, name: str) -> Any:
        """The stored column (a :class:`~cxmetrics.tables.ticket_batch.Categorical` stays encoded)."""
        return self._columns[name]

    def extended_columns(self, extra: Mapping[str, Any]) -> Mapping[str, Any]:
        """The columns with ``extra`` added (or replaced), computing and cutting none of them.

        Examples
        --------
        >>> t = ColumnTable({"x": np.array([1.0])})
        >>> list(ColumnTable(t.extended_columns({"y": np.array([2.0])})))
        ['x', 'y']
        """
        if isinstance(self._columns, LazyColumns | TakenColumns):
            return self._columns.extended(extra)
        return {**self._columns, **extra}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} rows: {', '.join(self._columns)})"

    def _repr_html_(self) -> str:
        """The notebook display: the first rows as an HTML table, and the row count."""
        from html import escape

        shown = min(len(self), _HTML_ROWS)
        head = "".join(f"<th>{escape(name)}</th>" for name in self._columns)
        columns = [np.asarray(self[name])[:shown] for name in self._columns]
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(str(column[i]))}</td>" for column in columns) + "</tr>"
            for i in range(shown)
        )
        more = f"<p>{len(self) - shown} more rows</p>" if len(self) > shown else ""
        return (
            f"<p>{escape(type(self).__name__)}: {len(self)} rows</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """Return the columns as lists of Python values (NaN stays NaN)."""
        return {name: np.asarray(self[name]).tolist() for name in self._columns}

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame (``dataframes`` extra); strings become categoricals."""
        pandas = import_optional(
            "pandas", extra="dataframes", feature=f"{type(self).__name__}.to_pandas"
        )
        data: dict[str, Any] = {}
        for name, column in self._columns.items():
            if isinstance(column, Categorical):
                data[name] = pandas.Categorical.from_codes(
                    column.codes, categories=list(column.categories)
                )
            else:
                data[name] = column
        return pandas.DataFrame(data)

    def to_polars(self) -> Any:
        """Return a polars DataFrame (``dataframes`` extra); strings become categoricals."""
        polars = import_optional(
            "polars", extra="dataframes", feature=f"{type(self).__name__}.to_polars"
        )
        data: dict[str, Any] = {}
        for name, column in self._columns.items():
            if isinstance(column, Categorical):
                data[name] = polars.Series(name, column.to_list(), dtype=polars.Categorical)
            elif column.dtype == object:
                data[name] = polars.Series(name, column.tolist(), dtype=polars.String)
            else:
                data[name] = polars.Series(name, column)
        return polars.DataFrame(data)


class TicketTable(ColumnTable):
    """One row per ticket of measures (see :func:`~cxmetrics.tickets.ticket_metrics`).

    Besides the per-ticket columns it carries two event tables, one row per event:
    ``exchanges`` (every reply and the oldest customer message it answers: columns
    ``ticket`` (row index), ``id``, ``asked_at``, ``replied_at``, ``first``,
    ``seconds`` and, with a calendar, ``seconds_business``) and ``solves`` (every
    solve: ``ticket``, ``id``, ``at``, ``seconds`` from creation, and
    ``seconds_business``), with the ``definitions``, whether business time was
    measured (``business``, ``calendar``) and the ``batch`` it was measured from.

    Every ticket metric accepts a table in place of the tickets, and reuses it when
    it was measured under the same definitions (and calendar, for business time):
    measure once, aggregate many times. dbt_zendesk's columns (status times,
    ``total_reply``, comments, touches, assignees) are computed on first use, a
    read or an export, once per table: a metric that reads none does not pay for them.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics.models import Ticket
    >>> from cxmetrics.tickets import ticket_metrics
    >>> table = ticket_metrics([Ticket(id="A", created_at=datetime(2024, 3, 4, tzinfo=timezone.utc))])
    >>> len(table), table["id"].tolist(), table.definitions.name, len(table.exchanges)
    (1, ['A'], 'default', 0)
    """

    def __init__(
        self,
        columns: Mapping[str, Any],
        *,
        exchanges: ColumnTable,
        solves: ColumnTable,
        definitions: Any,
        business: bool,
        batch: Any = None,
        calendar: Any = None,
    ) -> None:
        super().__init__(columns)
        self.exchanges = exchanges
        self.solves = solves
        self.definitions = definitions
        self.business = business
        self.batch = batch
        self.calendar = calendar

    def duration(self, name: str) -> Any:
        """The duration column ``name`` in business time when measured, else calendar time.

        Examples
        --------
        >>> from cxmetrics.tickets import ticket_metrics
        >>> ticket_metrics([]).duration("first_reply").tolist()
        []
        """
        return self[f"{name}_business" if self.business else name]

    DURATIONS: ClassVar[frozenset[str]] = frozenset(
        {"first_reply", "first_resolution", "full_resolution", "requester_wait", "agent_wait",
         "on_hold", "next_reply_mean", "next_reply_max"}
    )  # fmt: skip
    """Duration columns (seconds), with their ``_business`` twins."""

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame with real dtypes (``dataframes`` extra).

        Instants (``*_at``) become ``datetime64[..., UTC]``, durations
        ``timedelta64`` (``NaT`` when undefined), strings categoricals.

        Examples
        --------
        >>> from datetime import datetime, timezone
        >>> from cxmetrics.models import Ticket
        >>> from cxmetrics.tickets import ticket_metrics
        >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
        >>> frame = ticket_metrics([Ticket(id="A", created_at=t0, first_reply_at=t0)]).to_pandas()
        >>> str(frame["created_at"].dt.tz), frame["first_reply"].iloc[0]
        ('UTC', Timedelta('0 days 00:00:00'))
        """
        pandas = import_optional("pandas", extra="dataframes", feature="TicketTable.to_pandas")
        frame = super().to_pandas()
        for name in self._columns:
            if name.endswith("_at"):
                frame[name] = pandas.to_datetime(self[name], unit="s", utc=True)
            elif name.removesuffix("_business") in self.DURATIONS:
                frame[name] = pandas.to_timedelta(self[name], unit="s")
        return frame
