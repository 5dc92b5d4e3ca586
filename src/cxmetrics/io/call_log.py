"""Call-center logs in any shape: one row per call, columns named by a mapping.

Telephony and ACD exports write a call as a row of clock times, waits in seconds
and an outcome word: the "Anonymous Bank" log (Guedj and Mandelbaum, Technion) has a
``YYMMDD`` date, time-of-day columns (``vru_entry``, ``q_start``, ``ser_start``…),
``q_time`` / ``ser_time`` in seconds and an ``outcome`` of ``AGENT`` / ``HANG`` /
``PHANTOM``. :func:`read_call_log` maps such columns onto the fields of
:class:`~cxmetrics.Call` and returns the same validated call table as
:func:`~cxmetrics.io.to_call_table`, so the handling metrics (service level, speed
of answer, abandonment, AHT, transfers) and the report read it directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io._log_columns import (
    BoolArray,
    FloatArray,
    arrow_table,
    finish,
    mapped_codes,
    objects_of,
    read_times,
    text_column,
)
from cxmetrics.io._source import Source, _pa, read_source
from cxmetrics.tables.frame_rules import _check_mode
from cxmetrics.tables.problems import Problems
from cxmetrics.tables.record_frames import to_call_table

__all__ = ["OUTCOMES", "read_call_log"]

Errors = Literal["raise", "collect"]

OUTCOMES = ("answered", "abandoned")
"""What an outcome word can mean; ``"ignore"`` (or ``None``) leaves the row out."""

_DURATIONS = ("wait", "talk", "hold", "wrap")
_TEXT_FIELDS = ("queue", "agent_id", "customer_id", "channel")
_TRUE = ("true", "t", "yes", "y", "1")
_NUMBER = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"


def read_call_log(
    source: Any,
    *,
    at: str = "at",
    date: str | None = None,
    date_format: str = "%Y-%m-%d",
    time_format: str = "%H:%M:%S",
    timestamp_format: str | None = None,
    id: str | Sequence[str] | None = None,
    wait: str | None = None,
    talk: str | None = None,
    hold: str | None = None,
    wrap: str | None = None,
    outcome: str | None = None,
    outcome_map: Mapping[str, str | None] | None = None,
    drop_unqueued_abandons: bool = False,
    transferred: str | None = None,
    queue: str | None = None,
    agent_id: str | None = None,
    customer_id: str | None = None,
    channel: str | None = None,
    value_maps: Mapping[str, Mapping[str, str]] | None = None,
    null_values: Sequence[str] | Mapping[str, Sequence[str]] = ("",),
    delimiter: str = ",",
    timezone: str | None = None,
    errors: Errors = "raise",
    progress: bool = False,
) -> Any:
    r"""Load a call log (one row per call, the export's own column names) as a call table.

    Parameters
    ----------
    source : path or DataFrame
        CSV (any ``delimiter``), JSON Lines or Parquet file, or a pandas / polars /
        pyarrow table.
    at : str, default="at"
        Column of the call's arrival. With ``date`` it holds the time of day only
        (``"7:02:47"``) and is read with ``time_format`` after the date.
    date : str, optional
        Column of the call's date, for logs that split the arrival into a date and
        a time of day; read with ``date_format`` (``"%y%m%d"`` for ``990201``).
    date_format, time_format : str
        ``strptime`` formats of ``date`` and of the time of day in ``at``.
    timestamp_format : str, optional
        ``strptime`` format of ``at`` when it is a whole timestamp (without
        ``date``); by default ISO 8601, datetimes or epoch seconds.
    id : str or sequence of str, optional
        Column of the call id, or several columns joined with ``"-"`` (the bank
        log's ``call_id`` repeats across lines, ``["vru+line", "call_id"]`` does not).
    wait, talk, hold, wrap : str, optional
        Columns of the queue time before answer, talk, hold and after-call work,
        in seconds. An absent field is 0 s for every call; a missing cell in a
        named column is an error (never silently 0 s).
    outcome : str, optional
        Column of the call's outcome; with ``outcome_map`` each word is
        ``"answered"``, ``"abandoned"`` or ``"ignore"`` (``None``: the row is not a
        call, e.g. the bank log's ``PHANTOM``). A word missing from the map is an
        ``unknown_outcome`` error. The outcome decides: an abandoned call's talk,
        hold and wrap are taken as 0 s (some logs keep a few seconds of service on
        hang-ups). Without ``outcome`` every call was answered.
    outcome_map : mapping, optional
        Outcome word → ``"answered"``, ``"abandoned"``, ``"ignore"`` or ``None``.
        Without a map the words must be ``answered`` / ``abandoned`` (any case).
    drop_unqueued_abandons : bool, default=False
        Leave out abandoned calls with no wait: they hung up before reaching the
        agent queue (in the IVR), so they were never offered to an agent.
    transferred : str, optional
        Column of the transfer flag (``true``, ``t``, ``yes``, ``y`` or ``1``, any
        case, is true). Without it the report has no transfer rate.
    queue, agent_id, customer_id, channel : str, optional
        Columns of the queue (or call type), the agent, the caller and the channel
        (default ``"phone"``).
    value_maps : mapping, optional
        Per text field (``queue``, ``agent_id``, ``customer_id``, ``channel``), source
        value → the name to show, e.g. ``{"queue": {"PS": "regular", "IN":
        "internet"}}``; values not in the map are kept as they are.
    null_values : sequence of str, or mapping of field to sequence of str
        Text meaning missing: in every column, or per call field
        (``{"agent_id": ["NO_SERVER"], "customer_id": ["0"]}``; then ``""`` too).
    delimiter : str, default=","
        Field separator of a text file (``"\t"`` for tab-separated exports).
    timezone : str, optional
        Zone of the log's clock (else naive times are errors).
    errors : {"raise", "collect"}, default="raise"
        ``"collect"`` returns :class:`~cxmetrics.io.Collected`: the good calls and
        every problem. Problems name the file, the column and the row (counted
        from 0, the header apart).
    progress : bool, default=False
        Progress bar on stderr while reading a file.

    Returns
    -------
    RecordTable or Collected
        A ``calls`` table, as :func:`~cxmetrics.io.to_call_table` returns.

    Examples
    --------
    >>> import pyarrow as pa
    >>> log = pa.table({
    ...     "day": ["990201", "990201", "990201"],
    ...     "entry": ["7:02:47", "8:09:16", "23:59:58"],
    ...     "q_time": ["0", "5", "12"],
    ...     "ser_time": ["166", "3", "80"],
    ...     "outcome": ["AGENT", "HANG", "AGENT"],
    ... })
    >>> calls = read_call_log(log, date="day", date_format="%y%m%d", at="entry",
    ...     wait="q_time", talk="ser_time", outcome="outcome",
    ...     outcome_map={"AGENT": "answered", "HANG": "abandoned"},
    ...     timezone="Asia/Jerusalem")
    >>> calls["talk"].tolist(), calls["abandoned"].tolist()
    ([166.0, 0.0, 80.0], [False, True, False])
    >>> from cxmetrics import average_speed_of_answer
    >>> average_speed_of_answer(calls)
    datetime.timedelta(seconds=6)
    """
    _check_mode(errors)
    shared = tuple(null_values) if not isinstance(null_values, Mapping) else ("",)
    src = read_source(
        source, name="call log", null_values=shared, progress=progress, delimiter=delimiter
    )
    fields = {"wait": wait, "talk": talk, "hold": hold, "wrap": wrap, "queue": queue,
              "agent_id": agent_id, "customer_id": customer_id, "channel": channel,
              "outcome": outcome, "transferred": transferred}  # fmt: skip
    id_columns = [id] if isinstance(id, str) else list(id or ())
    src.require(at, date, *fields.values(), *id_columns)
    nulls = dict(null_values) if isinstance(null_values, Mapping) else {}
    unknown = sorted(set(nulls) - set(fields) - {"id"})
    if unknown:
        raise InvalidParameterError(
            f"null_values names {', '.join(map(repr, unknown))}: not a call field "
            f"(one of id, {', '.join(fields)})"
        )
    renamed = sorted(set(value_maps or {}) - set(_TEXT_FIELDS))
    if renamed:
        raise InvalidParameterError(
            f"value_maps names {', '.join(map(repr, renamed))}: not a text field of a call "
            f"(one of {', '.join(_TEXT_FIELDS)})"
        )
    problems = Problems([])
    ids = _ids(src, id_columns, nulls.get("id", ()))
    instant, bad = _arrival(src, at, date, date_format, time_format, timestamp_format,
                            timezone, problems, ids)  # fmt: skip
    columns: dict[str, Any] = {"at": instant}
    if id_columns:
        columns["id"] = ids
    for field in _DURATIONS:
        name = fields[field]
        if name is not None:
            columns[field], bad_duration = _seconds(src, name, problems, ids)
            bad |= bad_duration
    abandoned = np.zeros(src.n, dtype=bool)
    ignored = np.zeros(src.n, dtype=bool)
    if outcome is not None:
        words = {k: (None if v == "ignore" else v) for k, v in (outcome_map or {}).items()}
        codes, bad_outcome = mapped_codes(
            src, outcome, words if outcome_map is not None else None, OUTCOMES, "outcome",
            problems, ids,
        )  # fmt: skip
        bad |= bad_outcome
        ignored = (codes < 0) & ~bad_outcome
        abandoned = codes == OUTCOMES.index("abandoned")
    for field in ("talk", "hold", "wrap"):
        if field in columns:  # the outcome decides: no handling time on a hang-up
            columns[field] = np.where(abandoned, 0.0, columns[field])
    if drop_unqueued_abandons:
        ignored |= abandoned & (columns.get("wait", np.zeros(src.n)) == 0)
    columns["abandoned"] = abandoned
    if transferred is not None:
        flag = np.char.lower(objects_of(text_column(src, transferred)).astype(str))
        columns["transferred"] = np.isin(flag, _TRUE)
    for field in _TEXT_FIELDS:
        name = fields[field]
        if name is not None:
            columns[field] = _text(src, name, nulls.get(field, ()), (value_maps or {}).get(field))

    def build(keep: BoolArray) -> Any:
        rows = keep & ~ignored
        return to_call_table(
            arrow_table({name: values[rows] for name, values in columns.items()}),
            errors=errors,
        )

    return finish(problems, bad, src, build, errors, "call log")


def _ids(src: Source, columns: list[str], missing: Sequence[str]) -> Any:
    """The call ids (several columns joined with ``-``), or no ids."""
    if not columns:
        return np.full(src.n, None, dtype=object)
    _, pc = _pa()
    parts = [_arrow_text(src, name, missing) for name in columns]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "-")
    return objects_of(joined)


def _arrival(
    src: Source,
    at: str,
    date: str | None,
    date_format: str,
    time_format: str,
    timestamp_format: str | None,
    timezone: str | None,
    problems: Problems,
    ids: Any,
) -> tuple[FloatArray, BoolArray]:
    """Epoch seconds of each call's arrival, from a timestamp or a date and a time of day."""
    if date is None:
        return read_times(src, at, timestamp_format, timezone, problems, ids)
    _, pc = _pa()
    name = f"{date}+{at}"  # how problems name the pair of columns
    joined = pc.binary_join_element_wise(text_column(src, date), text_column(src, at), " ")
    pair = Source(src.table.append_column(name, joined), src.name, [])
    return read_times(pair, name, f"{date_format} {time_format}", timezone, problems, ids)


def _seconds(
    src: Source, column: str, problems: Problems, ids: Any
) -> tuple[FloatArray, BoolArray]:
    """A duration column in seconds, and its rows that are missing, malformed or negative."""
    pa, pc = _pa()
    text = text_column(src, column)
    number = np.asarray(
        pc.match_substring_regex(text, _NUMBER).fill_null(False).to_numpy(zero_copy_only=False),
        dtype=bool,
    )
    given = np.asarray(text.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    values = np.full(src.n, np.nan)
    if number.any():
        clean = pc.if_else(pa.array(number), text, None)
        values = np.asarray(
            pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
        )
    raw = objects_of(text)
    malformed = given & ~number
    problems.add(malformed, ids=ids, field=column, code="float_parsing", inputs=raw,
                 message="is not a number of seconds")  # fmt: skip
    problems.add(~given, ids=ids, field=column, code="missing",
                 message="Field required (a missing duration is not 0 s)")  # fmt: skip
    negative = number & (values < 0)
    problems.add(
        negative, ids=ids, field=column, code="negative_duration",
        message=lambda r: f"duration of {values[r]:g} s is negative; durations must be zero or more",
    )  # fmt: skip
    return np.where(number & ~negative, values, 0.0), malformed | ~given | negative


def _arrow_text(src: Source, column: str, missing: Sequence[str]) -> Any:
    """A text column with the field's own missing values as nulls."""
    pa, pc = _pa()
    text = text_column(src, column)
    if missing:
        hit = pc.is_in(text, value_set=pa.array(list(missing), type=pa.string()))
        text = pc.if_else(hit, None, text)
    return text


def _text(src: Source, column: str, missing: Sequence[str], names: Mapping[str, str] | None) -> Any:
    """A text field as objects, renamed by ``names`` (looked up once per distinct value)."""
    _, pc = _pa()
    text = _arrow_text(src, column, missing)
    if not names:
        return objects_of(text)
    encoded = pc.dictionary_encode(text)
    words = [str(w) for w in encoded.dictionary.to_pylist()]
    lookup = np.array([names.get(w, w) for w in words] + [None], dtype=object)
    codes = np.asarray(encoded.indices.fill_null(len(words)).to_numpy(zero_copy_only=False))
    return lookup[codes]
