"""A small columnar table with exports, shared by the SLA outcome and compliance tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

from cxmetrics._optional import import_optional
from cxmetrics.batch import Categorical

__all__ = ["ColumnTable"]


@dataclass(frozen=True, eq=False)
class ColumnTable:
    """Named columns of equal length: numpy arrays or :class:`~cxmetrics.batch.Categorical`.

    Columns named in ``INSTANTS`` hold epoch seconds and export as aware datetimes;
    those in ``DURATIONS`` hold seconds and export as timedeltas. String columns
    are stored as categoricals; indexing decodes them.

    Examples
    --------
    >>> t = ColumnTable({"name": Categorical.from_values(["a", None]), "n": np.array([1, 2])})
    >>> len(t), t["name"].tolist(), t.to_dict()
    (2, ['a', None], {'name': ['a', None], 'n': [1, 2]})
    """

    columns: Mapping[str, Any]

    INSTANTS: ClassVar[tuple[str, ...]] = ()
    DURATIONS: ClassVar[tuple[str, ...]] = ()

    def __len__(self) -> int:
        first = next(iter(self.columns.values()), None)
        return 0 if first is None else len(first)

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        column = self.columns[name]
        if isinstance(column, Categorical):
            return np.array(column.to_list(), dtype=object)
        return np.asarray(column)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in display order."""
        return tuple(self.columns)

    def codes(self, name: str) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
        """Return a string column as (codes, categories) without decoding it."""
        column = self.columns[name]
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
                for name, col in self.columns.items()
            }
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """Return the columns as lists: instants as aware datetimes, durations as timedeltas.

        Missing values are ``None``.
        """
        out: dict[str, list[Any]] = {}
        for name in self.columns:
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
        """Return a pandas DataFrame (needs the ``dataframes`` extra).

        Instants become ``datetime64[ns, UTC]`` and durations ``timedelta64[ns]``.
        """
        pandas = import_optional(
            "pandas", extra="dataframes", feature=f"{type(self).__name__}.to_pandas"
        )
        data: dict[str, Any] = {}
        for name in self.columns:
            values = self[name]
            if name in self.INSTANTS:
                data[name] = pandas.to_datetime(values, unit="s", utc=True)
            elif name in self.DURATIONS:
                data[name] = pandas.to_timedelta(values, unit="s")
            else:
                data[name] = values
        return pandas.DataFrame(data)

    def to_polars(self) -> Any:
        """Return a polars DataFrame (needs the ``dataframes`` extra)."""
        polars = import_optional(
            "polars", extra="dataframes", feature=f"{type(self).__name__}.to_polars"
        )
        return polars.from_pandas(self.to_pandas())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self)} rows>, columns={list(self.columns)})"


def _plain(value: Any) -> Any:
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
