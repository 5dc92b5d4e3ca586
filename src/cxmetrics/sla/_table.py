"""The SLA tables: the ticket-metrics column table, with instants and durations.

Columns named in ``INSTANTS`` hold epoch seconds (UTC) and export as aware
datetimes; those in ``DURATIONS`` hold seconds and export as timedeltas; string
columns in ``PLAIN`` (identifiers) export as strings rather than categoricals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

from cxmetrics._optional import import_optional
from cxmetrics.core.deprecation import warn_renamed
from cxmetrics.tables.ticket_batch import Categorical
from cxmetrics.tickets.table import ColumnTable

__all__ = ["TimedColumnTable"]


class TimedColumnTable(ColumnTable):
    """A :class:`~cxmetrics.tickets.table.ColumnTable` that knows instants and durations.

    Examples
    --------
    >>> t = TimedColumnTable({"name": Categorical.from_values(["a", None]), "n": np.array([1, 2])})
    >>> len(t), t["name"].tolist(), t.to_dict()
    (2, ['a', None], {'name': ['a', None], 'n': [1, 2]})
    >>> t.select([1]).to_dict()
    {'name': [None], 'n': [2]}
    """

    INSTANTS: ClassVar[tuple[str, ...]] = ()
    DURATIONS: ClassVar[tuple[str, ...]] = ()
    PLAIN: ClassVar[tuple[str, ...]] = ()
    RENAMED: ClassVar[Mapping[str, str]] = {}
    """Old column names still readable, for one release, with a deprecation warning."""

    def __getitem__(self, name: str) -> Any:
        if name in self.RENAMED and name not in self._columns:
            warn_renamed(name, self.RENAMED[name], type(self).__name__, what="column")
            name = self.RENAMED[name]
        return super().__getitem__(name)

    def codes(self, name: str) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
        """Return a string column as (codes, categories) without decoding it."""
        column = self._columns[name]
        if not isinstance(column, Categorical):
            raise KeyError(f"{name!r} is not a string column")
        return column.codes, column.categories

    def _with_columns(self, columns: Mapping[str, Any]) -> Self:
        return type(self)(columns)

    def select(self, index: npt.ArrayLike) -> Self:
        """Return the rows at ``index`` (positions or a boolean mask), in that order."""
        positions = np.asarray(index)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
        return self._with_columns(
            {
                name: col.take(positions) if isinstance(col, Categorical) else col[positions]
                for name, col in self._columns.items()
            }
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """Return the columns as lists: instants as aware datetimes, durations as timedeltas.

        Missing values are ``None``.
        """
        out: dict[str, list[Any]] = {}
        for name in self._columns:
            values = self[name]
            if name in self.INSTANTS:
                out[name] = [
                    None if np.isnan(v) else datetime.fromtimestamp(v, tz=timezone.utc)
                    for v in values.tolist()
                ]
            elif name in self.DURATIONS:
                out[name] = [None if np.isnan(v) else timedelta(seconds=v) for v in values.tolist()]
            else:
                out[name] = [_plain(v) for v in values.tolist()]
        return out

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame (``dataframes`` extra).

        Instants become ``datetime64[..., UTC]``, durations ``timedelta64``,
        strings categoricals (identifiers stay strings).
        """
        pandas = import_optional(
            "pandas", extra="dataframes", feature=f"{type(self).__name__}.to_pandas"
        )
        frame = super().to_pandas()
        for name in self._columns:
            if name in self.INSTANTS:
                frame[name] = pandas.to_datetime(self[name], unit="s", utc=True)
            elif name in self.DURATIONS:
                frame[name] = pandas.to_timedelta(self[name], unit="s")
            elif name in self.PLAIN:
                frame[name] = self[name]
        return frame

    def to_polars(self) -> Any:
        """Return a polars DataFrame (``dataframes`` extra), typed as :meth:`to_pandas`."""
        polars = import_optional(
            "polars", extra="dataframes", feature=f"{type(self).__name__}.to_polars"
        )
        return polars.from_pandas(self.to_pandas())


def _plain(value: Any) -> Any:
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
