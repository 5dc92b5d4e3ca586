"""Columnar result tables: a dict of numpy columns with DataFrame exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from cxmetrics._optional import import_optional
from cxmetrics.tables.ticket_batch import Categorical, TakenColumns

__all__ = ["ColumnTable", "TakenColumns", "TicketTable"]


class ColumnTable:
    """Equal-length columns by name: numpy arrays or :class:`~cxmetrics.tables.ticket_batch.Categorical`.

    Column access (``table["first_reply"]``) returns the stored array (categoricals
    decoded to an object array of strings and ``None``); :meth:`to_pandas` and
    :meth:`to_polars` keep categoricals as categorical dtypes. Nothing is copied
    until an export asks for it.

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
        lengths = {name: len(column) for name, column in columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"columns must have equal lengths, got {lengths}")
        self._columns = dict(columns)
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} rows: {', '.join(self._columns)})"

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
    measure once, aggregate many times.

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
