"""Survey response rates, the low-score comments and the reason mix.

A response rate needs the surveys that were *sent*, answered or not: a second
input beside the answers, one row per survey sent (``ticket_id``, ``kind``,
``sent_at``, ``channel``, ``agent_id``…). A sent survey counts as answered when an
answer of the same kind names its ticket (or, without answers, when its own
``responded_at`` is set).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.insight._rows import group_codes, row_columns, survey_table
from cxmetrics.metrics.csat import SATISFIED_BY_SCALE
from cxmetrics.stats import wilson_interval

__all__ = ["LOW_SCORE", "low_score_comments", "reason_mix", "response_rates"]

SEND_FIELDS = ("ticket_id", "kind", "sent_at", "responded_at", "channel", "agent_id", "customer_id")
"""The fields a row of surveys sent may carry (``ticket_id`` is required)."""


def _by(by: str | Sequence[str] | None) -> tuple[str, ...]:
    if by is None:
        return ()
    return (by,) if isinstance(by, str) else tuple(by)


def _utc(seconds: float) -> datetime | None:
    if np.isnan(seconds):
        return None
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc)


def response_rates(
    sent: Any,
    responses: Any = None,
    *,
    by: str | Sequence[str] | None = None,
    period: str | None = None,
    kind: str | None = None,
    timezone: str = "UTC",
    confidence: float = 0.95,
) -> MetricTable:
    r"""Share of surveys sent that were answered, per group, with a Wilson interval.

    .. math:: \mathrm{response\ rate} = \frac{\text{surveys answered}}{\text{surveys sent}}

    Parameters
    ----------
    sent : DataFrame, mapping of columns, or iterable of mappings or objects
        One row per survey sent: ``ticket_id`` (required), and optionally
        ``kind``, ``sent_at``, ``responded_at``, ``channel``, ``agent_id``,
        ``customer_id``.
    responses : survey answers, optional
        ``SurveyResponse`` records, a survey table or DataFrame. A sent row is
        answered when an answer names its ticket (and its kind, when the row has
        one). Without answers, a sent row is answered when its ``responded_at`` is set.
    by : str or sequence of str, optional
        Fields of the sent rows to group by, e.g. ``"channel"`` or ``("agent_id",)``.
    period : {"day", "week", "month", "quarter", "year"}, optional
        Also group by the period of ``sent_at`` (local to ``timezone``).
    kind : {"csat", "ces", "nps", "review"}, optional
        Only the surveys of this kind (sent rows without a kind are kept).
    timezone : str, default="UTC"
        The zone whose calendar the periods follow.
    confidence : float, default=0.95

    Returns
    -------
    MetricTable
        Columns: the ``by`` fields, ``period`` (with ``period=``), ``sent``,
        ``answered``, ``response_rate``, ``lower``, ``upper``; one row per group,
        in sorted order.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> sent = [{"ticket_id": t, "channel": c} for t, c in
    ...         [("T1", "chat"), ("T2", "chat"), ("T3", "email"), ("T4", "email")]]
    >>> answers = [SurveyResponse(kind="csat", score=5, ticket_id="T1"),
    ...            SurveyResponse(kind="csat", score=2, ticket_id="T3")]
    >>> table = response_rates(sent, answers, by="channel")
    >>> table.column("channel"), table.column("response_rate")
    (['chat', 'email'], [0.5, 0.5])
    >>> response_rates(sent, answers).column("answered")
    [2]
    """
    if period is not None and period not in ("day", "week", "month", "quarter", "year"):
        raise InvalidParameterError(
            "The 'period' parameter of response_rates must be one of day, week, month, "
            f"quarter, year. Got {period!r} instead."
        )
    by_fields = _by(by)
    cols = row_columns(sent, name="sent surveys", fields=SEND_FIELDS, required=("ticket_id",))
    if kind is not None:
        keep = np.array([k is None or k == kind for k in cols["kind"].tolist()], dtype=bool)
        cols = {name: column[keep] for name, column in cols.items()}
    if responses is None:
        answered = ~np.isnan(cols["responded_at"])
    else:
        table = survey_table(responses)
        tickets = table.get("ticket_id")
        if tickets is None:
            raise InvalidParameterError("the survey answers need a ticket_id to match sent surveys")
        pairs = set(zip(tickets.tolist(), table["kind"].tolist(), strict=True))
        any_kind = {ticket for ticket, _ in pairs}
        answered = np.array(
            [
                (t in any_kind) if k is None else ((t, k) in pairs)
                for t, k in zip(cols["ticket_id"].tolist(), cols["kind"].tolist(), strict=True)
            ],
            dtype=bool,
        )
    codes, names = group_codes(
        cols, by=by_fields, period=period, instants=cols["sent_at"], timezone=timezone
    )
    header = (*by_fields, *(("period",) if period else ()))
    sent_counts = np.bincount(codes, minlength=len(names))
    answered_counts = np.bincount(codes, weights=answered, minlength=len(names))
    rows = []
    for key, n_sent, n_answered in zip(names, sent_counts.tolist(), answered_counts.tolist(), strict=True):  # fmt: skip
        low, high = wilson_interval(n_answered, n_sent, confidence)
        rows.append((*key, n_sent, int(n_answered), n_answered / n_sent, low, high))
    return MetricTable(
        columns=(*header, "sent", "answered", "response_rate", "lower", "upper"),
        rows=tuple(rows),
        index=header,
    )


LOW_SCORE: dict[str, int] = {"nps": 6, "ces": 4, "review": 2}
"""The highest low score per survey kind, besides CSAT (whose low scores are the
answers that are not satisfied on their scale): NPS detractors (0-6), CES 1-4 of 7,
reviews of 1-2 stars."""


def _low(kinds: npt.NDArray[Any], scales: npt.NDArray[Any], scores: npt.NDArray[Any]) -> Any:
    """Whether each answer is a low score: one comparison per survey kind (and CSAT scale)."""
    low = np.zeros(scores.size, dtype=bool)
    kinds = np.asarray(kinds)
    scores = np.asarray(scores)
    for k in sorted(set(kinds.tolist()), key=str):
        rows = np.flatnonzero(kinds == k)
        if k != "csat":
            low[rows] = scores[rows] <= LOW_SCORE[k]
            continue
        # CSAT: the answers that are not satisfied on their own scale.
        scale_of = np.asarray(scales)[rows]
        for scale in np.unique(scale_of).tolist():
            satisfied = SATISFIED_BY_SCALE.get(int(scale), ())
            on_scale = rows[scale_of == scale]
            low[on_scale] = ~np.isin(scores[on_scale], satisfied)
    return low


def _window_rows(at: npt.NDArray[np.float64], window: tuple[datetime, datetime] | None) -> Any:
    if window is None:
        return np.ones(at.size, dtype=bool)
    start, end = window
    if start.tzinfo is None or end.tzinfo is None or not start < end:
        raise InvalidParameterError("window must be a pair of aware datetimes (start, end)")
    return (at >= start.timestamp()) & (at < end.timestamp())


def low_score_comments(
    surveys: Any,
    *,
    kind: str = "csat",
    at_most: float | None = None,
    window: tuple[datetime, datetime] | None = None,
    limit: int | None = None,
) -> MetricTable:
    """The comments left with low scores, worst first, with their tickets.

    Parameters
    ----------
    surveys : survey answers
        ``SurveyResponse`` records, a survey table or DataFrame, with ``comment``.
    kind : {"csat", "ces", "nps", "review"}, default="csat"
    at_most : float, optional
        The highest score listed. Default: for CSAT the answers that are not
        satisfied on their scale (1-3 of 5), else :data:`LOW_SCORE`.
    window : (datetime, datetime), optional
        Only answers given (``responded_at``) in ``[start, end)``.
    limit : int, optional
        At most this many rows.

    Returns
    -------
    MetricTable
        ``ticket_id``, ``score``, ``reason``, ``comment``, ``agent_id``,
        ``channel``, ``responded_at`` (datetime), sorted by score, then the most
        recent first. Answers without a comment are left out.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> answers = [SurveyResponse(kind="csat", score=s, ticket_id=t, comment=c)
    ...            for s, t, c in [(2, "T1", "slow"), (5, "T2", "great"), (1, "T3", "rude"),
    ...                            (3, "T4", None)]]
    >>> low_score_comments(answers).to_dict()["comment"]
    ['rude', 'slow']
    """
    table = survey_table(surveys)
    n = len(table)
    rows = np.asarray(table["kind"] == kind, dtype=bool)
    comments = table.get("comment", np.full(n, None, dtype=object))
    # Only the answers of this kind are read for a comment.
    candidates = np.flatnonzero(rows)
    rows[candidates] = [
        c is not None and str(c).strip() != "" for c in comments[candidates].tolist()
    ]
    at = table.get("responded_at", np.full(n, np.nan))
    rows &= _window_rows(at, window) if window is not None else True
    scores = table["score"]
    if at_most is None:
        rows &= _low(table["kind"], table["scale"], scores)
    else:
        rows &= scores <= at_most
    picked = np.flatnonzero(rows)
    picked = picked[np.lexsort((-np.nan_to_num(at[picked], nan=-np.inf), scores[picked]))]
    if limit is not None:
        picked = picked[:limit]

    def column(name: str) -> list[Any]:
        values = table.get(name)
        return [None] * picked.size if values is None else values[picked].tolist()

    names = ("ticket_id", "score", "reason", "comment", "agent_id", "channel")
    data = [column(name) for name in names]
    data.append([_utc(a) for a in at[picked].tolist()])
    return MetricTable(
        columns=(*names, "responded_at"), rows=tuple(zip(*data, strict=True)), index=()
    )


def reason_mix(
    surveys: Any,
    *,
    kind: str = "csat",
    window: tuple[datetime, datetime] | None = None,
    low_only: bool = False,
) -> MetricTable:
    """How often each reason was given, with its share and the mean score beside it.

    Parameters
    ----------
    surveys : survey answers
        ``SurveyResponse`` records, a survey table or DataFrame, with ``reason``.
    kind : {"csat", "ces", "nps", "review"}, default="csat"
    window : (datetime, datetime), optional
        Only answers given in ``[start, end)``.
    low_only : bool, default=False
        Only the low scores (as in :func:`low_score_comments`).

    Returns
    -------
    MetricTable
        ``reason`` (``"(none)"`` for answers without one), ``answers``, ``share``
        (of the answers counted) and ``mean_score``, most frequent first.

    Examples
    --------
    >>> from cxmetrics import SurveyResponse
    >>> answers = [SurveyResponse(kind="csat", score=s, reason=r)
    ...            for s, r in [(2, "slow"), (1, "slow"), (5, None), (3, "price")]]
    >>> reason_mix(answers).rows
    (('slow', 2, 0.5, 1.5), ('(none)', 1, 0.25, 5.0), ('price', 1, 0.25, 3.0))
    """
    table = survey_table(surveys)
    n = len(table)
    rows = np.asarray(table["kind"] == kind, dtype=bool)
    if window is not None:
        rows &= _window_rows(table.get("responded_at", np.full(n, np.nan)), window)
    if low_only:
        rows &= _low(table["kind"], table["scale"], table["score"])
    reasons = table.get("reason", np.full(n, None, dtype=object))[rows]
    scores = table["score"][rows]
    labels = np.array(["(none)" if r is None else str(r) for r in reasons.tolist()], dtype=object)
    total = labels.size
    out = []
    for label in sorted(set(labels.tolist())):
        mask = labels == label
        count = int(mask.sum())
        out.append((label, count, count / total, float(scores[mask].mean())))
    out.sort(key=lambda row: (-row[1], row[0]))
    return MetricTable(
        columns=("reason", "answers", "share", "mean_score"), rows=tuple(out), index=("reason",)
    )
