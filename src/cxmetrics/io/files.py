"""CSV, JSON Lines and Parquet files in the library's own schema, read and written.

A data set on disk is a directory (or a list of files) with one file per table,
named after the table: ``tickets.parquet``, ``interactions.parquet``,
``surveys.parquet``… (see :mod:`cxmetrics.tables.schema`). The readers go through
:mod:`cxmetrics.tables.ticket_frames` and :mod:`cxmetrics.tables.record_frames`, so
they validate every row with the models' rules and never build per-row objects; what a
writer writes, the reader reads back equal.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cxmetrics._optional import import_optional
from cxmetrics.exceptions import InvalidParameterError, RecordValidationError
from cxmetrics.io._progress import Progress
from cxmetrics.io._source import _nulls, json_rows, read_csv_text, unreadable
from cxmetrics.tables.columns import Table
from cxmetrics.tables.inputs import as_record_table, as_ticket_batch, callback_input, qa_input
from cxmetrics.tables.problems import describe, table_of
from cxmetrics.tables.record_frames import QA_SCORE_PREFIX, READERS, to_customer_table
from cxmetrics.tables.schema import (
    INSTANT_COLUMNS,
    TABLES,
    TICKET_TABLES,
    Collected,
    RecordTable,
    batch_to_tables,
    records_to_table,
)
from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tables.ticket_frames import to_ticket_batch

__all__ = [
    "SupportData",
    "read_csv",
    "read_files",
    "read_jsonl",
    "read_parquet",
    "write_csv",
    "write_jsonl",
    "write_parquet",
]

Format = Literal["csv", "jsonl", "parquet"]
_SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True)
class SupportData:
    """A loaded data set: tickets as a batch, the rest as column tables.

    Attributes
    ----------
    tickets : TicketBatch or None
    surveys, calls, customers : RecordTable or None
    survey_sends : RecordTable or None
        The surveys sent, answered or not (the denominator of response rates).
    staff_surveys : RecordTable or None
        The staff's answers to the eNPS question (a survey table of kind ``nps``).
    qa_evaluations : RecordTable or None
        QA evaluations, one row each, a ``scores.<criterion>`` column per criterion.
    callbacks : RecordTable or None
        Callback requests and voicemails (``requested_at``, ``called_back_at``…).
    errors : tuple of dict
        Rows left out with ``errors="collect"``, with their reasons (empty
        otherwise): ``position``, ``id``, ``field``, ``type``, ``message``,
        ``input``, and ``table``/``file`` where known.
    """

    tickets: TicketBatch | None = None
    surveys: RecordTable | None = None
    calls: RecordTable | None = None
    customers: RecordTable | None = None
    survey_sends: RecordTable | None = None
    staff_surveys: RecordTable | None = None
    qa_evaluations: RecordTable | None = None
    callbacks: RecordTable | None = None
    errors: tuple[dict[str, object], ...] = field(default=())

    def inputs(self) -> dict[str, Any]:
        """The non-empty inputs as keyword arguments for :func:`~cxmetrics.reporting.report`.

        Examples
        --------
        >>> SupportData().inputs()
        {}
        """
        return {name: value for name in _INPUTS if (value := getattr(self, name)) is not None}


_INPUTS = (
    "tickets", "surveys", "calls", "customers", "survey_sends", "staff_surveys", "qa_evaluations",
    "callbacks",
)  # fmt: skip
"""The tables :meth:`SupportData.inputs` hands to the report, as its parameters are named."""

_RECORD_READERS = {kind: READERS[kind] for kind in _INPUTS[1:] if kind != "customers"}
"""The one reader of each record table (customers, with their revenue changes, apart)."""


def _pa() -> Any:
    return import_optional("pyarrow", extra="dataframes", feature="reading and writing files")


def _role(path: Path) -> str | None:
    stem = path.name.split(".")[0].lower()
    for name in sorted(TABLES, key=len, reverse=True):
        if stem == name or stem.startswith(name + "_") or stem.startswith(name + "-"):
            return name
    if stem == "messages" or stem.startswith("messages_"):
        return "interactions"
    return None


def _format(path: Path) -> Format | None:
    name = path.name.lower()
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return _SUFFIXES[suffix]
    return None


def _collect_files(paths: str | Path | Iterable[str | Path], fmt: Format | None) -> dict[str, Path]:
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if _format(p) is not None)
        elif not path.exists():
            raise FileNotFoundError(f"no such file or directory: {str(path)!r}")
        else:
            files.append(path)
    roles: dict[str, Path] = {}
    for path in files:
        kind = _format(path)
        if fmt is not None and kind != fmt:
            if Path(path).parent.is_dir() and any(Path(i) == path for i in items):
                raise InvalidParameterError(f"{str(path)!r} is not a {fmt} file")
            continue
        role = _role(path)
        if role is None:
            raise InvalidParameterError(
                f"cannot tell which table {str(path)!r} holds: name it after one of "
                f"{', '.join(TABLES)} (e.g. tickets.csv)"
            )
        if role in roles:
            raise InvalidParameterError(
                f"two files for the {role} table: {str(roles[role])!r} and {str(path)!r}"
            )
        roles[role] = path
    if not roles:
        raise InvalidParameterError(f"no data files found in {', '.join(map(str, items))}")
    return roles


def _read_native(path: Path, progress: bool, malformed: list[dict[str, object]]) -> Any:
    """Read one file into a pyarrow table; text formats keep every column as text.

    Lines that cannot be read are appended to ``malformed`` (and left out); a file
    that cannot be read at all raises an error naming it.
    """
    with unreadable(path, _role(path)):
        return _read_table(path, progress, malformed)


def _read_table(path: Path, progress: bool, malformed: list[dict[str, object]]) -> Any:
    pa = _pa()
    kind = _format(path)
    size = path.stat().st_size
    with Progress(size, f"reading {path.name}", enabled=progress) as bar:
        if kind == "parquet":
            pq = import_optional("pyarrow.parquet", extra="dataframes", feature="Parquet files")
            schema = pq.read_schema(path)
            # Repetitive text columns come back dictionary-encoded (string work once per
            # value); ids are nearly unique, where a dictionary only slows decoding.
            text_columns = [
                f.name
                for f in schema
                if pa.types.is_string(f.type) and f.name not in ("id", "ticket_id")
            ]
            handle = pq.ParquetFile(path, read_dictionary=text_columns)
            batches = []
            for group in range(handle.num_row_groups):
                batches.append(handle.read_row_group(group))
                bar.advance(size / max(handle.num_row_groups, 1))
            return pa.concat_tables(batches) if batches else handle.schema_arrow.empty_table()
        if kind == "csv":
            return _nulls(read_csv_text(path, bar, malformed, None), ("",))
        return _rows_to_arrow(json_rows(path, bar, malformed))


def _rows_to_arrow(rows: list[dict[str, Any]]) -> Any:
    pa = _pa()
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        kinds = {type(v) for v in values if v is not None}
        if kinds <= {str} or (len(kinds) > 1 and not kinds <= {int, float}):
            values = [None if v is None else str(v) for v in values]
        columns[name] = pa.array(values)
    return pa.table(columns)


def read_files(
    paths: str | Path | Iterable[str | Path],
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    timezone: str | None = None,
    errors: Literal["raise", "collect"] = "raise",
    progress: bool = False,
    fmt: Format | None = None,
) -> SupportData:
    """Read a data set in the own schema from files of any supported format.

    Parameters
    ----------
    paths : path or list of paths
        Files named after their table (``tickets.csv``, ``surveys.parquet``…), or
        directories holding them. ``.csv``, ``.jsonl`` (``.ndjson``), ``.parquet``;
        ``.gz`` compression for the text formats.
    columns : mapping, optional
        Per-table column mapping: ``{"tickets": {"created_at": "opened"}}``.
    timezone : str, optional
        Localise naive instants in this zone (else they are errors).
    errors : {"raise", "collect"}, default="raise"
        ``"collect"`` leaves bad rows out and lists them in ``SupportData.errors``.
    progress : bool, default=False
        Draw a progress bar on stderr while reading (when it is a terminal).

    Returns
    -------
    SupportData

    Raises
    ------
    FileNotFoundError
        For a missing file.
    InvalidParameterError
        For a file whose table cannot be told from its name, or a missing column.
    RecordValidationError
        With ``errors="raise"``, listing every bad row by table, position and id.
    """
    files = _collect_files(paths, fmt)
    mapping = dict(columns or {})
    # One thread reads the Parquet files in the order they are used, while the
    # caller's thread validates the ones already read.
    malformed: list[dict[str, object]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxmetrics-read") as pool:
        try:
            native = {
                role: _open(
                    files[role], role, mapping.get(role), timezone, progress, pool, malformed
                )
                for role in TABLES
                if role in files
            }
            if malformed and errors == "raise":
                _raise_unreadable_lines(malformed)
            data = _convert(native, files, mapping, timezone, errors)
            return replace(data, errors=(*malformed, *data.errors)) if malformed else data
        finally:
            pool.shutdown(cancel_futures=True)


def _in_files(
    exc: RecordValidationError, problems: list[dict[str, object]]
) -> RecordValidationError:
    """``exc`` again, each problem (and line of the message) naming its file."""
    head = str(exc).splitlines()[0] if str(exc) else "invalid rows:"
    listed = ["  " + describe(p) for p in problems[:20]]
    more = [f"  … and {len(problems) - 20} more (see error.errors)"] if len(problems) > 20 else []
    return RecordValidationError("\n".join([head, *listed, *more]), tuple(problems))


def _raise_unreadable_lines(malformed: list[dict[str, object]]) -> None:
    """Raise :class:`RecordValidationError` naming every line that could not be read."""
    head = (
        f"{len(malformed)} line(s) of the data files cannot be read "
        "(errors='collect' leaves them out and reads the rest):"
    )
    listed = ["  " + describe(p) for p in malformed[:20]]
    more = [f"  … and {len(malformed) - 20} more (see error.errors)"] if len(malformed) > 20 else []
    raise RecordValidationError("\n".join([head, *listed, *more]), tuple(malformed))


def _open(
    path: Path,
    role: str,
    columns: Mapping[str, str] | None,
    timezone: str | None,
    progress: bool,
    pool: ThreadPoolExecutor,
    malformed: list[dict[str, object]],
) -> Table:
    """A column table of one file; a Parquet file is read in the background.

    The lines of a text file that cannot be read are added to ``malformed``,
    each naming its table, file and line.
    """
    if _format(path) == "parquet":
        pq = import_optional("pyarrow.parquet", extra="dataframes", feature="Parquet files")
        with unreadable(path, role):
            meta = pq.read_metadata(path)  # the footer only: column names and row count
        names = meta.schema.to_arrow_schema().names
        future = pool.submit(_read_native, path, progress, [])
        return Table.pending(future, names, meta.num_rows, role, columns, timezone)
    lines: list[dict[str, object]] = []
    table = Table(_read_native(path, progress, lines), role, columns, timezone)
    malformed.extend({**line, "table": role, "file": str(path)} for line in lines)
    return table


def _convert(
    native: dict[str, Table],
    files: dict[str, Path],
    mapping: dict[str, Mapping[str, str]],
    timezone: str | None,
    errors: Literal["raise", "collect"],
) -> SupportData:
    # An empty JSON Lines file has no columns either: an empty table, not an error.
    native = {role: table for role, table in native.items() if table.available or role in _INPUTS}
    if "revenue_changes" in native and "customers" not in native:
        raise InvalidParameterError(
            "the revenue_changes table needs a customers table "
            f"({str(files['revenue_changes'])!r} was given without one)"
        )
    problems: list[dict[str, object]] = []

    def named(found: Any, role: str) -> list[dict[str, object]]:
        # Each problem names the file its table came from.
        return [{**p, "file": str(files.get(table_of(p), files[role]))} for p in found]

    def convert(role: str, function: Any, value: Any, **options: Any) -> Any:
        try:
            result = function(
                value, columns=options.pop("columns", mapping.get(role)), timezone=timezone,
                errors=errors, **options,
            )  # fmt: skip
        except RecordValidationError as exc:
            raise _in_files(exc, named(exc.errors, role)) from None
        if isinstance(result, Collected):
            problems.extend(named(result.errors, role))
            return result.data
        return result

    tickets = None
    if "tickets" in native:
        ticket_columns = {k: v for k, v in mapping.items() if k in TICKET_TABLES}
        tickets = convert(
            "tickets",
            to_ticket_batch,
            native["tickets"],
            interactions=native.get("interactions"),
            status_changes=native.get("status_changes"),
            assignments=native.get("assignments"),
            priority_changes=native.get("priority_changes"),
            tags=native.get("tags"),
            columns=ticket_columns or None,
        )
    if "tickets" not in native:
        orphans = [r for r in native if r in TABLES[1:6]]
        if orphans:
            raise InvalidParameterError(
                f"the {orphans[0]} table needs a tickets table ({str(files[orphans[0]])!r} "
                "was given without one)"
            )
    records = {
        role: convert(role, reader, native[role])
        for role, reader in _RECORD_READERS.items()
        if role in native
    }
    return SupportData(
        tickets=tickets,
        **records,
        customers=convert(
            "customers",
            partial(to_customer_table, revenue_changes=native.get("revenue_changes")),
            native["customers"],
        )
        if "customers" in native
        else None,
        errors=tuple(problems),
    )  # fmt: skip


def read_csv(
    paths: str | Path | Iterable[str | Path],
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    timezone: str | None = None,
    errors: Literal["raise", "collect"] = "raise",
    progress: bool = False,
) -> SupportData:
    """Read own-schema CSV files (see :func:`read_files` for the options).

    Examples
    --------
    >>> import tempfile
    >>> from cxmetrics import SurveyResponse
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_csv(folder, surveys=[SurveyResponse(kind="nps", score=9)])
    >>> read_csv(folder).surveys["score"].tolist()
    [9.0]
    """
    return read_files(
        paths, fmt="csv", columns=columns, timezone=timezone, errors=errors, progress=progress
    )


def read_jsonl(
    paths: str | Path | Iterable[str | Path],
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    timezone: str | None = None,
    errors: Literal["raise", "collect"] = "raise",
    progress: bool = False,
) -> SupportData:
    """Read own-schema JSON Lines files (see :func:`read_files` for the options)."""
    return read_files(
        paths, fmt="jsonl", columns=columns, timezone=timezone, errors=errors, progress=progress
    )


def read_parquet(
    paths: str | Path | Iterable[str | Path],
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    timezone: str | None = None,
    errors: Literal["raise", "collect"] = "raise",
    progress: bool = False,
) -> SupportData:
    """Read own-schema Parquet files (see :func:`read_files` for the options)."""
    return read_files(
        paths, fmt="parquet", columns=columns, timezone=timezone, errors=errors, progress=progress
    )


# --- writing ---------------------------------------------------------------------------


def _tables_of(given: Mapping[str, Any]) -> dict[str, dict[str, npt.NDArray[Any]]]:
    tables: dict[str, dict[str, npt.NDArray[Any]]] = {}
    if given.get("tickets") is not None:
        tables.update(batch_to_tables(as_ticket_batch(given["tickets"])))
    for kind in ("surveys", "calls", "customers", "survey_sends", "staff_surveys"):
        value = given.get(kind)
        if value is not None:
            table = as_record_table(kind, value)
            if table is None:
                table = records_to_table("surveys" if kind == "staff_surveys" else kind, value)
            tables[kind] = dict(table.columns)
    if given.get("callbacks") is not None:
        tables["callbacks"] = dict(callback_input(given["callbacks"]).columns)
    if given.get("qa_evaluations") is not None:  # criteria as their own columns again
        tables["qa_evaluations"] = {
            name.removeprefix(QA_SCORE_PREFIX): column
            for name, column in qa_input(given["qa_evaluations"]).columns.items()
        }
    per_customer = tables.get("customers", {}).pop("revenue_changes", None)
    if per_customer is not None:
        tables["revenue_changes"] = _revenue_change_rows(tables["customers"]["id"], per_customer)
    return tables


def _revenue_change_rows(
    ids: npt.NDArray[Any], per_customer: npt.NDArray[np.object_]
) -> dict[str, npt.NDArray[Any]]:
    """One row per revenue change (``customer_id``, ``at``, ``revenue``), by customer."""
    changed = [row for row, changes in enumerate(per_customer.tolist()) if changes is not None]
    pairs = [per_customer[row] for row in changed]
    flat = np.concatenate(pairs) if pairs else np.empty((0, 2))
    owners = np.repeat(np.asarray(changed, dtype=np.int64), [len(p) for p in pairs])
    return {"customer_id": ids[owners], "at": flat[:, 0].copy(), "revenue": flat[:, 1].copy()}


def _to_arrow(columns: Mapping[str, npt.NDArray[Any]]) -> Any:
    pa = _pa()
    arrays = {}
    for name, values in columns.items():
        if name in INSTANT_COLUMNS:
            values = np.asarray(values, dtype=np.float64)
            micros = pa.array(np.round(values * 1e6), mask=np.isnan(values)).cast(pa.int64())
            arrays[name] = micros.cast(pa.timestamp("us", tz="UTC"))
        elif values.dtype == object:
            arrays[name] = pa.array(values.tolist(), type=pa.string())
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


def _tables(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """A writer's arguments: the tables given, by name (the folder left out)."""
    return {name: value for name, value in arguments.items() if name != "folder"}


def _write(folder: str | Path, fmt: Format, given: Mapping[str, Any]) -> list[Path]:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns in _tables_of(given).items():
        path = target / f"{name}.{fmt}"
        table = _to_arrow(columns)
        if fmt == "parquet":
            pq = import_optional("pyarrow.parquet", extra="dataframes", feature="Parquet files")
            pq.write_table(table, path)
        elif fmt == "csv":
            pcsv = import_optional("pyarrow.csv", extra="dataframes", feature="CSV files")
            pcsv.write_csv(table, path)
        else:
            with open(path, "w", encoding="utf-8") as out:
                for row in table.to_pylist():
                    out.write(json.dumps({k: _json_value(v) for k, v in row.items()}) + "\n")
        written.append(path)
    return written


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_parquet(
    folder: str | Path,
    *,
    tickets: Any = None,
    surveys: Any = None,
    calls: Any = None,
    customers: Any = None,
    survey_sends: Any = None,
    staff_surveys: Any = None,
    qa_evaluations: Any = None,
    callbacks: Any = None,
) -> list[Path]:
    """Write a data set as own-schema Parquet files, one per table, into ``folder``.

    Parameters
    ----------
    folder : path
        Created when missing; existing files of the same names are replaced.
    tickets : list of Ticket or TicketBatch, optional
    surveys, calls, customers : list of records or RecordTable, optional
    survey_sends : list of SurveySent or RecordTable, optional
    staff_surveys : list of SurveyResponse or RecordTable, optional
        The staff's eNPS answers.
    qa_evaluations : list of QAEvaluation or RecordTable, optional
        Written one row per evaluation, one column per criterion.
    callbacks : mappings or RecordTable, optional
        Callback requests and voicemails.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> from cxmetrics.datasets import generate
    >>> folder = tempfile.mkdtemp()
    >>> batch = generate(50, seed=2).tickets
    >>> _ = write_parquet(folder, tickets=batch)
    >>> read_parquet(folder).tickets.ids.tolist() == batch.ids.tolist()
    True
    """
    return _write(folder, "parquet", _tables(locals()))


def write_csv(
    folder: str | Path,
    *,
    tickets: Any = None,
    surveys: Any = None,
    calls: Any = None,
    customers: Any = None,
    survey_sends: Any = None,
    staff_surveys: Any = None,
    qa_evaluations: Any = None,
    callbacks: Any = None,
) -> list[Path]:
    """Write a data set as own-schema CSV files (see :func:`write_parquet`)."""
    return _write(folder, "csv", _tables(locals()))


def write_jsonl(
    folder: str | Path,
    *,
    tickets: Any = None,
    surveys: Any = None,
    calls: Any = None,
    customers: Any = None,
    survey_sends: Any = None,
    staff_surveys: Any = None,
    qa_evaluations: Any = None,
    callbacks: Any = None,
) -> list[Path]:
    """Write a data set as own-schema JSON Lines files (see :func:`write_parquet`)."""
    return _write(folder, "jsonl", _tables(locals()))
