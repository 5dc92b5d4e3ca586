"""Survey scores per ticket: the first and the last answer, and whether the verdict flipped.

dbt_zendesk reads the satisfaction-rating history of each ticket
(``int_zendesk__ticket_historical_satisfaction``): its first and latest score and
whether it went from good to bad or from bad to good. Here the history is the
survey answers linked to a ticket (``SurveyResponse.ticket_id``), in the order
they were given (``responded_at``; answers without a time come last, in input
order); an answer is *good* when it is a satisfied CSAT answer (the top two
boxes of a 4- to 10-point scale, the top box of a 2- or 3-point one).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.survey import SurveyResponse
from cxmetrics.tables.inputs import as_record_table, as_ticket_batch
from cxmetrics.tickets.lookups import first_of_runs
from cxmetrics.tickets.table import ColumnTable

__all__ = ["ticket_surveys"]

FloatArray = npt.NDArray[np.float64]


def ticket_surveys(
    tickets: Any, surveys: Any, *, kind: str = "csat", scale: int = 5
) -> ColumnTable:
    """Per ticket, its first and last survey score and whether the verdict flipped.

    Parameters
    ----------
    tickets : list of Ticket, TicketBatch or DataFrame
    surveys : list of SurveyResponse, or a survey table (DataFrame or record table)
        Answers without a ``ticket_id``, or naming no ticket of ``tickets``, are
        left out.
    kind : str, default="csat"
        Which answers to read.
    scale : int, default=5
        Their scale (an answer of ``kind`` on another scale is an error).

    Returns
    -------
    ColumnTable
        One row per ticket, in input order: ``id``, ``surveys`` (answers linked),
        ``first_score``, ``last_score`` (NaN without an answer), ``good_to_bad`` and
        ``bad_to_good`` (a good answer followed by a bad one, and the other way
        round; dbt_zendesk's ``is_good_to_bad_satisfaction_score`` and
        ``is_bad_to_good_satisfaction_score``).

    Raises
    ------
    InvalidParameterError
        When an answer of ``kind`` is on another scale.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> from cxmetrics.models import SurveyResponse, Ticket
    >>> t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    >>> answers = [SurveyResponse(kind="csat", score=s, scale=5, ticket_id="A",
    ...                           responded_at=t0 + timedelta(hours=h)) for s, h in [(5, 1), (2, 3)]]
    >>> t = ticket_surveys([Ticket(id="A", created_at=t0), Ticket(id="B", created_at=t0)], answers)
    >>> t["first_score"].tolist(), t["last_score"].tolist(), t["good_to_bad"].tolist()
    ([5.0, nan], [2.0, nan], [True, False])
    """
    batch = as_ticket_batch(tickets)
    n = len(batch)
    linked, at, score, kinds, scales = _answers(surveys)
    mine = kinds == kind
    if (mine & (scales != scale)).any():
        other = int(scales[mine & (scales != scale)][0])
        raise InvalidParameterError(
            f"ticket_surveys was asked for a {scale}-point {kind} scale but some answers are "
            f"{other}-point; pass scale={other} or split the answers by scale"
        )
    ids = batch.ids.astype(str)
    order = np.argsort(ids, kind="stable")
    keys = np.where(np.equal(linked, None), "", linked).astype(str)  # type: ignore[call-overload]
    where = np.clip(np.searchsorted(ids[order], keys), 0, max(n - 1, 0))
    found = mine & ~np.equal(linked, None)  # type: ignore[call-overload]
    if n:
        found &= ids[order][where] == keys
    ticket = order[where][found] if n else np.empty(0, dtype=np.int64)
    at, score = at[found], score[found]
    rows = np.lexsort((np.arange(ticket.size), at, ticket))  # NaN times sort last
    ticket, score = ticket[rows], score[rows]
    good = score >= scale - (1 if scale >= 4 else 0)
    count = np.bincount(ticket, minlength=n)
    first_score, last_score = np.full(n, np.nan), np.full(n, np.nan)
    if ticket.size:
        starts = first_of_runs(ticket)
        first_score[ticket[starts]] = score[starts]
        ends = np.r_[starts[1:], True]
        last_score[ticket[ends]] = score[ends]
    same = ~first_of_runs(ticket)
    before = np.r_[False, good[:-1]] if ticket.size else good
    flips = {
        "good_to_bad": same & before & ~good,
        "bad_to_good": same & ~before & good,
    }
    columns: dict[str, Any] = {
        "id": batch.ids,
        "surveys": count.astype(np.int64),
        "first_score": first_score,
        "last_score": last_score,
    }
    for name, flip in flips.items():
        columns[name] = np.bincount(ticket[flip], minlength=n) > 0
    return ColumnTable(columns)


def _answers(surveys: Any) -> tuple[Any, FloatArray, FloatArray, Any, Any]:
    """``(ticket_id, responded_at, score, kind, scale)`` columns of the answers."""
    table = as_record_table("surveys", surveys)
    if table is not None:
        size = len(table)
        linked = table.get("ticket_id", np.full(size, None, dtype=object))
        at = np.asarray(table["responded_at"], dtype=np.float64)
        return (
            np.asarray(linked, dtype=object),
            at,
            np.asarray(table["score"], dtype=np.float64),
            np.asarray(table["kind"], dtype=object),
            np.asarray(table["scale"], dtype=np.int64),
        )
    rows = list(surveys)
    for position, item in enumerate(rows):
        if not isinstance(item, SurveyResponse):
            raise InvalidParameterError(
                f"ticket_surveys expects SurveyResponse items or a survey table; item "
                f"{position} is {type(item).__name__}"
            )
    return (
        np.array([None if r.ticket_id is None else str(r.ticket_id) for r in rows], dtype=object),
        np.array(
            [np.nan if r.responded_at is None else r.responded_at.timestamp() for r in rows],
            dtype=np.float64,
        ),
        np.array([r.score for r in rows], dtype=np.float64),
        np.array([r.kind for r in rows], dtype=object),
        np.array([r.scale for r in rows], dtype=np.int64),
    )
