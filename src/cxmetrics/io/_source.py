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
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.exceptions import CXMetricsError, InvalidParameterError, RecordValidationError
from cxmetrics.io._progress import Progress
from cxmetrics.tables.columns import Table
from cxmetrics.tables.native import is_dataframe

__all__ = ["Source", "json_rows", "read_csv_text", "read_source", "unreadable"]


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
    delimiter: str = ",",
) -> Source:
    r"""Read a path or a DataFrame into a :class:`Source`.

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
    delimiter : str, default=","
        Field separator of a text file that is neither JSON Lines nor Parquet
        (``"\t"`` for tab-separated ``.tsv`` / ``.txt`` exports).

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
    with unreadable(path), Progress(size, f"reading {path.name}", enabled=progress) as bar:
        if lower.endswith((".parquet", ".pq")):
            pq = import_optional("pyarrow.parquet", extra="dataframes", feature="Parquet files")
            table = pq.read_table(path, columns=list(columns) if columns else None)
            bar.advance(size)
        elif lower.endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".json")):
            rows = json_rows(path, bar, malformed)
            table = pa.Table.from_pylist(
                [{k: None if v is None else str(v) for k, v in row.items()} for row in rows]
            )
        else:
            table = read_csv_text(path, bar, malformed, columns, delimiter)
    return Source(_nulls(table, null_values), f"{path.name}", malformed)


@contextmanager
def unreadable(path: Path, role: str | None = None) -> Iterator[None]:
    """Turn a failure to read ``path`` as its format into one error naming the file.

    An empty CSV, a file that is not Parquet or not gzip, a gzip stream cut short
    or text that is not UTF-8 raise :class:`~cxmetrics.RecordValidationError`
    (code ``unreadable_file``) saying which file and why, never the parser's
    own words alone.
    """
    try:
        yield
    except (CXMetricsError, FileNotFoundError):
        raise
    except UnicodeDecodeError as exc:
        raise _file_error(
            path,
            role,
            f"it is not UTF-8 text (byte {exc.object[exc.start : exc.start + 1]!r} at offset {exc.start}); save it as UTF-8",
        ) from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _file_error(
            path, role, f"its compressed data is cut short or corrupt ({exc})"
        ) from exc
    except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _file_error(path, role, reason) from exc


def _file_error(path: Path, role: str | None, reason: str) -> RecordValidationError:
    problem: dict[str, object] = {
        "position": None, "id": None, "field": "file", "type": "unreadable_file",
        "message": f"{str(path)!r} cannot be read: {reason}", "input": None,
        "file": str(path), "table": role or path.name,
    }  # fmt: skip
    return RecordValidationError(str(problem["message"]), (problem,))


def json_rows(
    path: Path, bar: Progress, malformed: list[dict[str, object]]
) -> list[dict[str, Any]]:
    """The objects of a JSON Lines file (``.gz`` too); every unreadable line a problem.

    A line that is not JSON, or is JSON but not an object (an array, a string,
    ``null``), is reported as ``malformed_row`` at its line number and the other
    lines are kept; a gzip stream cut short keeps the lines before the cut and
    reports where it ends. A ``.json`` file holding one array is not JSON Lines:
    an error says so.
    """
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    rows: list[dict[str, Any]] = []
    number = 0
    with opener(path, "rt", encoding="utf-8") as lines:
        try:
            for number, line in enumerate(lines, start=1):
                bar.advance(len(line))
                if not line.strip():
                    continue
                if not rows and not malformed and _array_of_objects(line):
                    raise _file_error(
                        path, None, "it holds a JSON array; cxmetrics reads JSON Lines, one "
                        "object per line (e.g. jq -c '.[]' file.json > file.jsonl)",
                    )  # fmt: skip
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    malformed.append(_malformed(number, line, f"not JSON: {exc.msg}"))
                    continue
                if not isinstance(row, dict):
                    kind = "null" if row is None else type(row).__name__
                    malformed.append(
                        _malformed(number, line, f"a JSON {kind}, not an object of fields")
                    )
                    continue
                rows.append(row)
        except (EOFError, zlib.error) as exc:
            if number == 0:
                raise
            malformed.append(_malformed(number + 1, "", f"the compressed file ends early ({exc})"))
    return rows


def _array_of_objects(line: str) -> bool:
    """Whether a first line opens a JSON array of records (a ``.json`` export).

    ``[{"id": 1}, …]`` on one line, or ``[`` starting a pretty-printed array; a line
    such as ``[1, 2]`` is one bad line of a JSON Lines file instead.
    """
    if not line.lstrip().startswith("["):
        return False
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return True
    return bool(value) and all(isinstance(item, dict) for item in value)


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


def read_csv_text(
    path: Path,
    bar: Progress,
    malformed: list[dict[str, object]],
    columns: Sequence[str] | None,
    delimiter: str = ",",
) -> Any:
    """A CSV file (``.gz`` too) as a pyarrow table of text columns.

    A line with more or fewer fields than the header is reported as
    ``malformed_row`` at its line number and the other lines are kept.
    """
    pa, _ = _pa()
    pcsv = import_optional("pyarrow.csv", extra="dataframes", feature="CSV files")
    opener: Any = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as text:
        header = next(csv.reader(text, delimiter=delimiter), [])
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
        table = pcsv.read_csv(
            _Counting(raw, bar),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=invalid
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                include_columns=list(columns) if columns else None,
            ),
        )
    _number_lines(path, opener, malformed)
    return table


class _Counting:
    """A binary file wrapper that reports the bytes read to a progress bar."""

    def __init__(self, raw: Any, bar: Progress) -> None:
        self.raw, self.bar = raw, bar
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.raw.read(size)
        self.bar.advance(len(data))
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def _number_lines(path: Path, opener: Any, malformed: list[dict[str, object]]) -> None:
    """Give each malformed CSV row the number of the line it is on (pyarrow does not)."""
    unnumbered = [p for p in malformed if p["position"] is None]
    if not unnumbered:
        return
    with opener(path, "rt", encoding="utf-8-sig", newline="") as text:
        lines: dict[str, list[int]] = {}
        for number, line in enumerate(text, start=1):
            lines.setdefault(line.rstrip("\r\n")[:120], []).append(number)
    for problem in unnumbered:
        numbers = lines.get(str(problem["input"]), [])
        if numbers:
            number = numbers.pop(0)
            problem["position"] = number
            problem["message"] = str(problem["message"]).replace("a line", f"line {number}", 1)


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
