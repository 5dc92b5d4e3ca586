"""Reading one source table for the loaders: a file (CSV, JSON Lines, Parquet) or a DataFrame.

Text files are read with every column as text (the loaders parse and validate
columns themselves). Lines a CSV parser cannot split into the header's columns
are never dropped silently: they become problems (``malformed_row``) that the
loader raises or returns, depending on its ``errors=`` mode.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io._progress import Progress
from cxmetrics.tables.columns import Table
from cxmetrics.tables.native import is_dataframe

__all__ = ["Source", "read_source"]


def _pa() -> tuple[Any, Any]:
    pa = import_optional("pyarrow", extra="dataframes", feature="reading files")
    pc = import_optional("pyarrow.compute", extra="dataframes", feature="reading files")
    return pa, pc


class Source:
    """A loaded source table (pyarrow) and the lines that could not be parsed."""

    def __init__(self, table: Any, name: str, malformed: list[dict[str, object]]) -> None:
        self.table = table
        self.name = name
        self.malformed = malformed
        self.n = int(table.num_rows)

    def has(self, column: str) -> bool:
        """Whether the source has ``column``."""
        return column in self.table.column_names

    def require(self, *columns: str | None) -> None:
        """Raise naming the first missing column (``None`` entries are skipped)."""
        for column in columns:
            if column is not None and not self.has(column):
                raise InvalidParameterError(
                    f"{self.name} has no column {column!r} (it has: "
                    f"{', '.join(self.table.column_names)[:300]})"
                )

    def view(self, timezone: str | None) -> Table:
        """The source as a column :class:`~cxmetrics.tables.columns.Table`."""
        return Table(self.table, self.name, None, timezone)


def read_source(
    source: Any,
    *,
    name: str,
    null_values: Sequence[str] = ("",),
    progress: bool = False,
    columns: Sequence[str] | None = None,
) -> Source:
    """Read a path or a DataFrame into a :class:`Source`.

    Parameters
    ----------
    source : path or DataFrame
        ``.csv`` (``.gz``), ``.jsonl`` / ``.ndjson`` (``.gz``), ``.parquet``, or a
        pandas / polars / pyarrow table.
    name : str
        What the table is, for messages.
    null_values : sequence of str
        Text values that mean missing (``"?"`` in ServiceNow exports).
    columns : sequence of str, optional
        Read only these columns (CSV and Parquet).

    Examples
    --------
    >>> import pyarrow as pa
    >>> read_source(pa.table({"a": [1]}), name="events").n
    1
    """
    pa, _ = _pa()
    if is_dataframe(source):
        view = Table(source, name)
        table = view.frame.to_arrow()
        return Source(_nulls(table, null_values), name, [])
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {str(path)!r}")
    lower = path.name.lower()
    malformed: list[dict[str, object]] = []
    size = path.stat().st_size
    with Progress(size, f"reading {path.name}", enabled=progress) as bar:
        if lower.endswith((".parquet", ".pq")):
            pq = import_optional("pyarrow.parquet", extra="dataframes", feature="Parquet files")
            table = pq.read_table(path, columns=list(columns) if columns else None)
            bar.advance(size)
        elif lower.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".json")):
            opener: Any = gzip.open if lower.endswith(".gz") else open
            rows = []
            with opener(path, "rt", encoding="utf-8") as lines:
                for number, line in enumerate(lines, start=1):
                    bar.advance(len(line))
                    if not line.strip():
                        continue
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        malformed.append(_malformed(number, line, f"not JSON: {exc.msg}"))
            table = pa.Table.from_pylist(
                [{k: None if v is None else str(v) for k, v in row.items()} for row in rows]
            )
        else:
            table = _read_csv(path, bar, malformed, columns)
    return Source(_nulls(table, null_values), f"{path.name}", malformed)


def _malformed(line: int | None, text: str, reason: str) -> dict[str, object]:
    where = f"line {line}" if line is not None and line >= 0 else "a line"
    return {
        "position": line if line is not None and line >= 0 else None,
        "id": None,
        "field": "line",
        "type": "malformed_row",
        "message": f"{where} cannot be read: {reason}",
        "input": text[:120],
    }


def _read_csv(
    path: Path, bar: Progress, malformed: list[dict[str, object]], columns: Sequence[str] | None
) -> Any:
    pa, _ = _pa()
    pcsv = import_optional("pyarrow.csv", extra="dataframes", feature="CSV files")
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as text:
        header = next(csv.reader(text), [])
    # Headers can be blank (a saved pandas index) or repeated: make them unique.
    names: list[str] = []
    for position, raw in enumerate(header):
        base = raw or f"column_{position}"
        candidate, k = base, 1
        while candidate in names:
            candidate, k = f"{base}.{k}", k + 1
        names.append(candidate)

    def invalid(row: Any) -> str:
        malformed.append(
            _malformed(
                None if row.number is None else int(row.number),
                str(row.text),
                f"{row.actual_columns} fields where the header has {row.expected_columns}",
            )
        )
        return "skip"

    with opener(path, "rb") as raw:
        return pcsv.read_csv(
            raw,
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                include_columns=list(columns) if columns else None,
            ),
        )


def _nulls(table: Any, null_values: Sequence[str]) -> Any:
    """Replace the ``null_values`` of text columns by nulls."""
    pa, pc = _pa()
    if not null_values:
        return table
    values = pa.array(list(null_values), type=pa.string())
    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(index)
            stripped = pc.utf8_trim_whitespace(column)
            hit = pc.is_in(stripped, value_set=values)
            table = table.set_column(index, field.name, pc.if_else(hit, None, column))
    return table


def row_numbers(n: int) -> npt.NDArray[np.int64]:
    """Positions 0..n-1 (the row index reported in problems)."""
    return np.arange(n, dtype=np.int64)
