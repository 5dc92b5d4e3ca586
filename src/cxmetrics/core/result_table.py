"""Small frozen table results (volume per interval, cohort retention…)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxmetrics._optional import import_optional
from cxmetrics.core.deprecation import warn_renamed

__all__ = ["MetricTable"]

# Old column names that ``column`` still answers for one release, with a warning.
_RENAMED_COLUMNS = {"start": "start_at"}


@dataclass(frozen=True)
class MetricTable:
    """A small result table: named columns of equal length, in row order.

    Attributes
    ----------
    columns : tuple of str
        Column names; the first ``len(index)`` are the row keys.
    rows : tuple of tuple
        One tuple per row.
    index : tuple of str
        The key columns (used as the pandas index).

    Examples
    --------
    >>> t = MetricTable(columns=("hour", "calls"), rows=((9, 4), (10, 7)), index=("hour",))
    >>> t.to_dict()
    {'hour': [9, 10], 'calls': [4, 7]}
    >>> len(t), t.column("calls")
    (2, [4, 7])
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    index: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        """Return one column as a list."""
        if name not in self.columns and name in _RENAMED_COLUMNS:
            warn_renamed(name, _RENAMED_COLUMNS[name], "MetricTable", what="column")
            name = _RENAMED_COLUMNS[name]
        position = self.columns.index(name)
        return [row[position] for row in self.rows]

    def to_dict(self) -> dict[str, list[Any]]:
        """Return ``{column: values}`` (plain Python values)."""
        return {name: self.column(name) for name in self.columns}

    def to_pandas(self) -> Any:
        """Return a pandas DataFrame indexed by the key columns (needs pandas)."""
        pd = import_optional("pandas", extra="dataframes", feature="MetricTable.to_pandas")
        frame = pd.DataFrame.from_records(list(self.rows), columns=list(self.columns))
        return frame.set_index(list(self.index)) if self.index else frame
