"""Survey answers, live contacts and customers from DataFrames, vectorised.

:func:`to_survey_table`, :func:`to_call_table` and :func:`to_customer_table` (with
its revenue changes) turn a table of records of one kind into a
:class:`~cxmetrics.tables.schema.RecordTable`. Every rule of the record models is
checked on whole columns, with the same error codes (``naive_datetime``,
``negative_duration``, ``answered_and_abandoned``, ``score_out_of_scale``,
``left_before_joining``, ``literal_error``…), and every bad row is reported by its
table, position and id. No row ever becomes a Python object.

Columns are named as in the records; pass ``columns={"at": "started"}`` for other
names. Instants may be aware datetimes, ISO 8601 strings or UTC epoch seconds; naive
ones need ``timezone=``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.survey import SCALES
from cxmetrics.tables.columns import Table, as_table
from cxmetrics.tables.frame_rules import (
    _DURATIONS,
    BoolArray,
    Errors,
    FloatArray,
    _check_mode,
    _iso,
    _literal,
)
from cxmetrics.tables.problems import Problems
from cxmetrics.tables.schema import Collected, RecordTable
from cxmetrics.tables.ticket_batch import DIRECTIONS

__all__ = [
    "QA_FIELDS",
    "QA_SCORE_PREFIX",
    "READERS",
    "to_call_table",
    "to_callback_table",
    "to_customer_table",
    "to_qa_table",
    "to_staff_survey_table",
    "to_survey_send_table",
    "to_survey_table",
]

QA_FIELDS = ("id", "ticket_id", "agent_id", "evaluator_id", "channel", "evaluated_at")
"""The columns of a QA evaluations table that are not criteria."""

QA_SCORE_PREFIX = "scores."
"""The prefix of the criterion columns of a QA ``RecordTable`` (``scores.accuracy``)."""


def _finish(
    kind: str,
    columns: dict[str, Any],
    bad: BoolArray,
    problems: Problems,
    errors: str,
    name: str | None = None,
) -> Any:
    table = RecordTable(kind, columns)
    if errors == "raise":
        problems.raise_if_any((name or kind).removesuffix("s"), len(table))
        return table
    return Collected(table.select(~bad) if bad.any() else table, tuple(problems.items))


def _object_column(table: Table, column: str) -> npt.NDArray[np.object_]:
    return table.strings(column)[0]


def to_survey_table(
    surveys: Any,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of survey answers into a :class:`RecordTable`, vectorised.

    Columns as in :class:`~cxmetrics.SurveyResponse`: ``kind``, ``score``
    (required), ``scale`` (default per kind), ``responded_at``, ``ticket_id``,
    ``customer_id``, ``agent_id``, ``channel``, and the optional ``comment``,
    ``reason`` and ``sent_at``. Rules and codes as the model:
    ``literal_error``, ``invalid_scale``, ``score_out_of_scale``, ``naive_datetime``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_survey_table(pa.table({"kind": ["csat", "nps"], "score": [5, 9]}))
    >>> t["scale"].tolist(), t["kind"].tolist()
    ([5, 10], ['csat', 'nps'])
    >>> to_survey_table(pa.table({"id": ["s1"], "kind": ["csat"], "score": [6]}))
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: 1 invalid survey rows out of 1:
      surveys row 0 (id='s1'): surveys.score: csat score 6 is outside the 5-point scale 1-5
    """
    _check_mode(errors)
    t = as_table(surveys, "surveys", columns, timezone)
    assert t is not None
    return _survey_rows(t, "surveys", None, errors)


def to_staff_survey_table(
    surveys: Any,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of staff survey answers (eNPS) into a survey :class:`RecordTable`.

    As :func:`to_survey_table`, but ``kind`` may be left out (every answer is then
    ``"nps"``, the eNPS question on 0-10) and problems name the ``staff_surveys``
    table, so that they are never mistaken for customer answers.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_staff_survey_table(pa.table({"score": [9, 3]}))
    >>> t["kind"].tolist(), t["scale"].tolist()
    (['nps', 'nps'], [10, 10])
    >>> to_staff_survey_table(pa.table({"score": [11]}))
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: 1 invalid staff_survey rows out of 1:
      staff_surveys row 0: staff_surveys.score: nps score 11 is outside the 10-point scale 0-10
    """
    _check_mode(errors)
    t = as_table(surveys, "staff_surveys", columns, timezone)
    assert t is not None
    return _survey_rows(t, "staff_surveys", "nps", errors)


def _survey_rows(t: Table, table: str, default_kind: str | None, errors: Errors) -> Any:
    """The survey rows of ``t``, problems naming the table ``table``."""
    t.require(*(("kind",) if default_kind is None else ()), "score")
    problems = Problems([])
    ids = _object_column(t, "id") if t.has("id") else np.full(t.n, None, dtype=object)
    kinds = tuple(SCALES)
    kind, given = _literal(t, "kind", kinds, problems, ids, default_kind, f"{table}.kind")
    if default_kind is None:
        problems.add(
            ~given, ids=ids, field=f"{table}.kind", code="missing", message="Field required"
        )
    score, bad_score = t.floats("score", problems=problems, ids=ids)
    problems.add(np.isnan(score) & ~bad_score, ids=ids, field=f"{table}.score", code="missing",
                 message="Field required")  # fmt: skip
    default_scale = np.array([SCALES[k][0] for k in kinds])[kind.clip(0)]
    scale_values, bad_scale = t.floats("scale", problems=problems, ids=ids)
    scale = np.where(np.isnan(scale_values), default_scale, scale_values)
    ok_kind = kind >= 0
    valid_scale = np.zeros(t.n, dtype=bool)
    for code, name in enumerate(kinds):
        allowed = SCALES[name][1]
        rows = kind == code
        valid_scale |= rows & (scale >= 2 if allowed is None else np.isin(scale, allowed))
    invalid_scale = ok_kind & ~valid_scale
    problems.add(
        invalid_scale, ids=ids, field=f"{table}.scale", code="invalid_scale",
        message=lambda r: f"a {kinds[kind[r]]} scale is not {scale[r]:g}", inputs=scale,
    )  # fmt: skip
    low = np.where(kind == kinds.index("nps"), 0.0, 1.0)
    high = np.where(kind == kinds.index("nps"), 10.0, scale)
    outside = ok_kind & valid_scale & ~np.isnan(score) & ((score < low) | (score > high))
    fractional = (
        ok_kind & valid_scale & (kind != kinds.index("review")) & (score != np.round(score))
    )
    fractional &= ~outside & ~np.isnan(score)
    problems.add(
        outside, ids=ids, field=f"{table}.score", code="score_out_of_scale",
        message=lambda r: f"{kinds[kind[r]]} score {score[r]:g} is outside the {scale[r]:g}-point "
        f"scale {low[r]:g}-{high[r]:g}", inputs=score,
    )  # fmt: skip
    problems.add(
        fractional, ids=ids, field=f"{table}.score", code="score_out_of_scale",
        message=lambda r: f"{kinds[kind[r]]} score {score[r]:g} must be a whole number",
        inputs=score,
    )  # fmt: skip
    responded, bad_at = t.instants("responded_at", problems, ids)
    bad = ~ok_kind | np.isnan(score) | bad_score | bad_scale | invalid_scale | outside
    bad |= fractional | bad_at
    cols: dict[str, Any] = {
        "kind": np.array(kinds, dtype=object)[kind.clip(0)],
        "score": score,
        "scale": scale.astype(np.int64),
        "responded_at": responded,
    }
    for name in ("id", "ticket_id", "customer_id", "agent_id", "channel", "comment", "reason"):
        if t.has(name):
            cols[name] = _object_column(t, name)
    if t.has("sent_at"):
        cols["sent_at"], bad_sent = t.instants("sent_at", problems, ids)
        bad |= bad_sent
    return _finish("surveys", cols, bad, problems, errors, name=table)


def to_survey_send_table(
    sends: Any,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of surveys sent (answered or not) into a :class:`RecordTable`.

    Columns as in :class:`~cxmetrics.SurveySent`: ``kind`` (default ``"csat"``),
    ``sent_at``, ``responded_at``, ``ticket_id``, ``customer_id``, ``agent_id``,
    ``channel``, and an optional ``id``. Rules and codes as the model:
    ``literal_error``, ``naive_datetime``. The table is the denominator of
    :func:`cxmetrics.insight.response_rates`.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_survey_send_table(pa.table({"ticket_id": ["T1", "T2"],
    ...                                    "sent_at": ["2024-03-01T09:00:00Z", None]}))
    >>> t["kind"].tolist(), np.isnan(t["sent_at"]).tolist()
    (['csat', 'csat'], [False, True])
    >>> to_survey_send_table(pa.table({"ticket_id": ["T1"], "kind": ["mood"]}))
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: 1 invalid survey_send rows out of 1:
      survey_sends row 0: survey_sends.kind: Input should be 'csat', 'ces', 'nps' or 'review' [got 'mood']
    """
    _check_mode(errors)
    t = as_table(sends, "survey_sends", columns, timezone)
    assert t is not None
    problems = Problems([])
    ids = _object_column(t, "id") if t.has("id") else np.full(t.n, None, dtype=object)
    kinds = tuple(SCALES)
    kind, _ = _literal(t, "kind", kinds, problems, ids, "csat", "survey_sends.kind")
    bad = kind < 0
    cols: dict[str, Any] = {"kind": np.array(kinds, dtype=object)[kind.clip(0)]}
    for name in ("sent_at", "responded_at"):
        cols[name], bad_at = t.instants(name, problems, ids)
        bad |= bad_at
    for name in ("id", "ticket_id", "customer_id", "agent_id", "channel"):
        cols[name] = _object_column(t, name) if t.has(name) else np.full(t.n, None, dtype=object)
    return _finish("survey_sends", cols, bad, problems, errors)


def to_qa_table(
    evaluations: Any,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of QA evaluations (one row each, one column per criterion).

    As a scorecard export: the columns ``id``, ``ticket_id``, ``agent_id``,
    ``evaluator_id``, ``channel`` and ``evaluated_at`` describe the evaluation
    (all optional), and every other column is a criterion, its cells the share of
    its points earned in [0, 1], empty where the criterion does not apply (as
    :class:`~cxmetrics.QAEvaluation`). The table keeps them as ``scores.<criterion>``
    columns. Rules and codes: ``outside_share`` (a score outside [0, 1]),
    ``no_criterion`` (a row scoring nothing), ``naive_datetime``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_qa_table(pa.table({"agent_id": ["ann", "bob"], "tone": [1.0, None],
    ...                           "accuracy": [0.5, 0.25]}))
    >>> sorted(c for c in t.columns if c.startswith("scores.")), t["scores.tone"].tolist()
    (['scores.accuracy', 'scores.tone'], [1.0, nan])
    >>> to_qa_table(pa.table({"id": ["e1"], "tone": [1.5]}))
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: 1 invalid qa_evaluation rows out of 1:
      qa_evaluations row 0 (id='e1'): qa_evaluations.tone: criterion score 1.5 is outside [0, 1]
    """
    _check_mode(errors)
    t = as_table(evaluations, "qa_evaluations", columns, timezone)
    assert t is not None
    problems = Problems([])
    ids = _object_column(t, "id") if t.has("id") else np.full(t.n, None, dtype=object)
    renamed = {source: name for name, source in t.mapping.items()}
    criteria = sorted(renamed.get(c, c) for c in t.available if renamed.get(c, c) not in QA_FIELDS)
    if not criteria:
        raise InvalidParameterError(
            "the qa_evaluations table has no criterion column (one column per criterion "
            "of the scorecard, besides " + ", ".join(QA_FIELDS) + ")"
        )
    cols: dict[str, Any] = {}
    for name in ("id", "ticket_id", "agent_id", "evaluator_id", "channel"):
        cols[name] = _object_column(t, name) if t.has(name) else np.full(t.n, None, dtype=object)
    cols["evaluated_at"], bad = t.instants("evaluated_at", problems, ids)
    scored = np.zeros(t.n, dtype=bool)
    for name in criteria:
        values, malformed = t.floats(name, problems=problems, ids=ids)
        outside = (values < 0) | (values > 1)
        problems.add(
            outside, ids=ids, field=f"qa_evaluations.{name}", code="outside_share",
            message=lambda r, v=values: f"criterion score {v[r]:g} is outside [0, 1]",
            inputs=values,
        )  # fmt: skip
        bad |= malformed | outside
        scored |= ~np.isnan(values)
        cols[QA_SCORE_PREFIX + name] = values
    problems.add(
        ~scored, ids=ids, field="qa_evaluations", code="no_criterion",
        message="an evaluation needs at least one scored criterion",
    )  # fmt: skip
    return _finish("qa_evaluations", cols, bad | ~scored, problems, errors)


def to_call_table(
    calls: Any,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of live contacts into a :class:`RecordTable`, vectorised.

    Columns as in :class:`~cxmetrics.Call` (``at`` required; durations in seconds
    or as durations), plus an optional ``ticket_id``. Rules and codes as the
    model: ``negative_duration``, ``answered_and_abandoned``, ``naive_datetime``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_call_table(pa.table({"at": ["2024-03-01T09:00:00Z"], "talk": [120]}))
    >>> t["talk"].tolist(), t["abandoned"].tolist(), t["channel"].tolist()
    ([120.0], [False], ['phone'])
    """
    _check_mode(errors)
    t = as_table(calls, "calls", columns, timezone)
    assert t is not None
    t.require("at")
    problems = Problems([])
    # Every absent text column is the same read-only column of None (one allocation,
    # and no per-row work, for the several optional columns a plain export lacks).
    nothing = np.empty(t.n, dtype=object)
    nothing.flags.writeable = False
    ids = _object_column(t, "id") if t.has("id") else nothing
    at, bad = t.instants("at", problems, ids)
    missing = np.isnan(at) & ~bad
    problems.add(missing, ids=ids, field="calls.at", code="missing", message="Field required")
    bad = bad | missing
    cols: dict[str, Any] = {"at": at}
    for column in _DURATIONS:
        if not t.has(column):  # an absent column is 0 s for every call: nothing to check
            cols[column] = np.zeros(t.n)
            continue
        # A missing cell in a given column is a problem (``missing``), as
        # ``Call(talk=None)`` is: never silently 0 s.
        values, malformed = t.floats(column, problems=problems, ids=ids)
        absent = np.isnan(values) & ~malformed
        problems.add(absent, ids=ids, field=f"calls.{column}", code="missing",
                     message="Field required (a missing duration is not 0 s)")  # fmt: skip
        malformed |= absent
        negative = values < 0
        problems.add(
            negative, ids=ids, field=f"calls.{column}", code="negative_duration",
            message=lambda r, v=values: f"duration of {v[r]:g} s is negative; durations must be zero or more",
        )  # fmt: skip
        bad |= negative | malformed
        cols[column] = values
    for column in ("abandoned", "transferred"):
        values_b, malformed_b = t.bools(column, False, problems=problems, ids=ids)
        bad |= malformed_b
        cols[column] = values_b
    # Handling time is summed on the abandoned rows only (the same sums, a fraction
    # of the rows).
    both = cols["abandoned"].copy()
    rows = np.flatnonzero(both)
    both[rows] = (cols["talk"][rows] + cols["hold"][rows] + cols["wrap"][rows]) > 0
    problems.add(
        both, ids=ids, field="calls", code="answered_and_abandoned",
        message="a contact cannot be both abandoned and answered: abandoned=True with talk, "
        "hold or wrap time; set abandoned=False or the handling times to 0",
    )  # fmt: skip
    direction, _ = _literal(t, "direction", DIRECTIONS, problems, ids, "inbound", "calls.direction")
    bad |= both | (direction < 0)
    if t.has("direction"):
        cols["direction"] = np.array(DIRECTIONS, dtype=object)[direction.clip(0)]
    else:  # every call is inbound: one fill, no lookup per row
        cols["direction"] = np.empty(t.n, dtype=object)
        cols["direction"].fill("inbound")
    if t.has("channel"):
        channel, channel_missing = t.strings("channel")
        channel[channel_missing] = "phone"
    else:
        channel = np.empty(t.n, dtype=object)
        channel.fill("phone")
    cols["channel"] = channel
    for name in ("id", "ticket_id", "customer_id", "agent_id", "queue"):
        cols[name] = _object_column(t, name) if t.has(name) else nothing
    return _finish("calls", cols, bad, problems, errors)


def to_customer_table(
    customers: Any,
    *,
    revenue_changes: Any = None,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of customer lifetimes into a :class:`RecordTable`, vectorised.

    Columns as in :class:`~cxmetrics.Customer`: ``id``, ``since`` (required),
    ``until``, ``segment``, ``revenue``. Rules and codes as the model:
    ``left_before_joining``, ``greater_than_equal`` (negative revenue),
    ``naive_datetime``.

    ``revenue_changes`` is an optional second table, one row per upgrade or
    downgrade: ``customer_id``, ``at``, ``revenue`` (the new recurring revenue), as
    :class:`~cxmetrics.RevenueChange`. Its rows must name a customer
    (``unknown_customer``) and fall within the lifetime
    (``revenue_change_outside_lifetime``); a customer with a bad change is bad,
    as the model would reject it. The table keeps them per customer in a
    ``revenue_changes`` column of ``(k, 2)`` arrays of (epoch seconds, revenue).

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_customer_table(pa.table({"id": [1, 2], "since": ["2024-01-01Z", "2024-02-01Z"],
    ...                                 "until": [None, "2024-03-01Z"]}))
    >>> t["id"].tolist(), np.isnan(t["until"]).tolist()
    (['1', '2'], [True, False])
    >>> t = to_customer_table(
    ...     pa.table({"id": ["a"], "since": ["2024-01-01Z"], "revenue": [20.0]}),
    ...     revenue_changes=pa.table({"customer_id": ["a"], "at": ["2024-03-01Z"],
    ...                               "revenue": [35.0]}))
    >>> t["revenue_changes"][0].tolist()
    [[1709251200.0, 35.0]]
    """
    _check_mode(errors)
    t = as_table(customers, "customers", columns, timezone)
    assert t is not None
    t.require("id", "since")
    problems = Problems([])
    ids, missing_id = t.strings("id")
    problems.add(missing_id, ids=ids, field="customers.id", code="missing", message="Field required")  # fmt: skip
    since, bad_since = t.instants("since", problems, ids)
    no_since = np.isnan(since) & ~bad_since
    problems.add(no_since, ids=ids, field="customers.since", code="missing", message="Field required")  # fmt: skip
    until, bad_until = t.instants("until", problems, ids)
    early = until < since
    problems.add(
        early, ids=ids, field="customers.until", code="left_before_joining",
        message=lambda r: f"until ({_iso(until[r])}) is before since ({_iso(since[r])}): a "
        "customer cannot leave before joining",
    )  # fmt: skip
    revenue, bad_revenue = t.floats("revenue", problems=problems, ids=ids)
    negative = revenue < 0
    problems.add(negative, ids=ids, field="customers.revenue", code="greater_than_equal",
                 message="Input should be greater than or equal to 0", inputs=revenue)  # fmt: skip
    bad = missing_id | bad_since | no_since | bad_until | early | bad_revenue | negative
    cols: dict[str, Any] = {"id": ids, "since": since, "until": until, "revenue": revenue}
    cols["segment"] = _object_column(t, "segment")
    if revenue_changes is not None:
        changes = as_table(revenue_changes, "revenue_changes", None, timezone)
        assert changes is not None
        cols["revenue_changes"], bad_owner = _revenue_changes(changes, ids, since, until, problems)
        bad |= bad_owner
    return _finish("customers", cols, bad, problems, errors)


def _revenue_changes(
    table: Table,
    ids: npt.NDArray[np.object_],
    since: FloatArray,
    until: FloatArray,
    problems: Problems,
) -> tuple[npt.NDArray[np.object_], BoolArray]:
    """Per customer, its validated revenue changes; and the customers a bad one spoils."""
    table.require("customer_id", "at", "revenue")
    owner_ids, missing_owner = table.strings("customer_id")
    row_of = {customer: row for row, customer in enumerate(ids.tolist()) if customer is not None}
    owner = np.fromiter((row_of.get(c, -1) for c in owner_ids.tolist()), np.int64, table.n)
    known = owner >= 0
    problems.add(
        ~known & ~missing_owner, ids=owner_ids, field="revenue_changes.customer_id",
        code="unknown_customer", message="customer_id names no customer in the customers table",
        inputs=owner_ids,
    )  # fmt: skip
    problems.add(missing_owner, ids=owner_ids, field="revenue_changes.customer_id",
                 code="missing", message="Field required")  # fmt: skip
    at, bad_at = table.instants("at", problems, owner_ids)
    no_time = np.isnan(at) & ~bad_at
    problems.add(no_time, ids=owner_ids, field="revenue_changes.at", code="missing",
                 message="Field required")  # fmt: skip
    revenue, bad_revenue = table.floats("revenue", problems=problems, ids=owner_ids)
    no_revenue = np.isnan(revenue) & ~bad_revenue
    problems.add(no_revenue, ids=owner_ids, field="revenue_changes.revenue", code="missing",
                 message="Field required")  # fmt: skip
    negative = revenue < 0
    problems.add(negative, ids=owner_ids, field="revenue_changes.revenue",
                 code="greater_than_equal", message="Input should be greater than or equal to 0",
                 inputs=revenue)  # fmt: skip
    row = np.maximum(owner, 0)
    end = np.where(np.isnan(until[row]), np.inf, until[row])
    outside = known & ~np.isnan(at) & ((at < since[row]) | (at > end))
    problems.add(
        outside, ids=owner_ids, field="revenue_changes.at",
        code="revenue_change_outside_lifetime",
        message=lambda r: f"revenue change at {_iso(at[r])} is outside the lifetime "
        f"{_iso(since[row[r]])} – {'now' if np.isinf(end[r]) else _iso(end[r])}",
    )  # fmt: skip
    bad = ~known | bad_at | no_time | bad_revenue | no_revenue | negative | outside
    spoiled = np.zeros(ids.size, dtype=bool)
    spoiled[owner[bad & known]] = True
    good = np.flatnonzero(~bad)
    # Per customer, by time (stable: equal instants keep the table's order).
    good = good[np.lexsort((at[good], owner[good]))]
    pairs = np.column_stack([at[good], revenue[good]])
    starts = np.searchsorted(owner[good], np.arange(ids.size + 1))
    per_customer = np.full(ids.size, None, dtype=object)
    for customer in np.flatnonzero(np.diff(starts)).tolist():
        per_customer[customer] = pairs[starts[customer] : starts[customer + 1]]
    return per_customer, spoiled


def to_callback_table(
    callbacks: Any,
    *,
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    errors: Errors = "raise",
) -> Any:
    """Convert a table of callback requests (and voicemails) into a :class:`RecordTable`.

    Columns: ``requested_at`` (required), ``called_back_at`` (empty while not
    called back), and the optional ``id``, ``source`` (``"queue"``,
    ``"voicemail"``…), ``agent_id``, ``channel``, ``queue``. Rules and codes:
    ``missing``, ``called_back_before_request``, ``naive_datetime``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> t = to_callback_table(pa.table({"requested_at": ["2024-03-04T09:00:00Z"] * 2,
    ...                                 "called_back_at": ["2024-03-04T09:30:00Z", None]}))
    >>> (t["called_back_at"] - t["requested_at"]).tolist()
    [1800.0, nan]
    >>> to_callback_table(pa.table({"requested_at": ["2024-03-04T09:00:00Z"],
    ...                             "called_back_at": ["2024-03-04T08:00:00Z"]}))
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: 1 invalid callback rows out of 1:
      callbacks row 0: callbacks.called_back_at: called back (2024-03-04T08:00:00...) before it was requested (2024-03-04T09:00:00...)
    """
    _check_mode(errors)
    t = as_table(callbacks, "callbacks", columns, timezone)
    assert t is not None
    t.require("requested_at")
    problems = Problems([])
    ids = _object_column(t, "id") if t.has("id") else np.full(t.n, None, dtype=object)
    requested, bad = t.instants("requested_at", problems, ids)
    missing = np.isnan(requested) & ~bad
    problems.add(missing, ids=ids, field="callbacks.requested_at", code="missing",
                 message="Field required")  # fmt: skip
    called, bad_called = t.instants("called_back_at", problems, ids)
    early = called < requested
    problems.add(
        early, ids=ids, field="callbacks.called_back_at", code="called_back_before_request",
        message=lambda r: f"called back ({_iso(called[r])}) before it was requested "
        f"({_iso(requested[r])})",
    )  # fmt: skip
    cols: dict[str, Any] = {"requested_at": requested, "called_back_at": called}
    for name in ("id", "source", "agent_id", "channel", "queue"):
        cols[name] = _object_column(t, name) if t.has(name) else np.full(t.n, None, dtype=object)
    return _finish("callbacks", cols, bad | missing | bad_called | early, problems, errors)


READERS: dict[str, Any] = {
    "surveys": to_survey_table,
    "calls": to_call_table,
    "customers": to_customer_table,
    "survey_sends": to_survey_send_table,
    "staff_surveys": to_staff_survey_table,
    "qa_evaluations": to_qa_table,
    "callbacks": to_callback_table,
}
"""The one reader of each kind of record table, by the table's name."""
