"""Survey answers for the generated tickets: CSAT, NPS and CES, worse after long waits."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.datasets.shapes import AGENT_NAMES, FloatArray
from cxmetrics.datasets.tables import SurveySendTable, SurveyTable
from cxmetrics.tables.ticket_batch import TicketBatch


def _surveys(
    rng: np.random.Generator,
    batch: TicketBatch,
    resolved: npt.NDArray[np.bool_],
    reopened: npt.NDArray[np.bool_],
    solve_at: FloatArray,
    at: FloatArray,
    offsets: npt.NDArray[np.int64],
    created_by: npt.NDArray[np.int64],
    agent: npt.NDArray[np.int64],
    end: float,
    texts: np.random.Generator | None = None,
) -> SurveyTable:
    """CSAT, NPS and CES answers for some solved tickets, worse after long waits.

    Answers come about a day after the (first) solve; those after ``end`` are not
    in the export. With ``texts`` (a generator of its own, so that the answers
    drawn from ``rng`` stay the same), they also get a reason and a comment.
    """
    n = len(batch)
    first_reply_row = offsets[:-1] + (created_by == 0).astype(np.int64)
    first_reply_row = np.minimum(first_reply_row, offsets[1:] - 1)
    wait_hours = (at[first_reply_row] - batch.created_at) / 3600.0
    # Satisfaction falls from 0.93 for an instant reply towards 0.55 after a day.
    satisfied = 0.55 + 0.38 * np.exp(-wait_hours / 8.0)
    # Having to come back after a solve costs a fifth of that.
    satisfied = np.where(reopened, 0.8 * satisfied, satisfied)
    rows: list[tuple[str, npt.NDArray[np.int64], FloatArray, int]] = []
    asked = np.flatnonzero(resolved & (rng.random(n) < 0.3))
    happy = rng.random(asked.size) < satisfied[asked]
    csat = np.where(happy, rng.choice([4, 5], size=asked.size, p=[0.35, 0.65]),
                    rng.choice([1, 2, 3], size=asked.size, p=[0.35, 0.3, 0.35]))  # fmt: skip
    rows.append(("csat", asked, csat.astype(np.float64), 5))
    nps_asked = np.flatnonzero(resolved & (rng.random(n) < 0.12))
    loyal = rng.random(nps_asked.size) < satisfied[nps_asked]
    nps = np.where(loyal, rng.choice([7, 8, 9, 10], size=nps_asked.size, p=[0.1, 0.25, 0.35, 0.3]),
                   rng.integers(0, 9, size=nps_asked.size))  # fmt: skip
    rows.append(("nps", nps_asked, nps.astype(np.float64), 10))
    ces_asked = np.flatnonzero(resolved & (rng.random(n) < 0.08))
    easy = rng.random(ces_asked.size) < satisfied[ces_asked]
    ces = np.where(easy, rng.choice([5, 6, 7], size=ces_asked.size, p=[0.25, 0.4, 0.35]),
                   rng.integers(1, 5, size=ces_asked.size))  # fmt: skip
    rows.append(("ces", ces_asked, ces.astype(np.float64), 7))

    tickets = np.concatenate([r[1] for r in rows])
    kinds = np.concatenate([np.full(r[1].size, r[0]) for r in rows])
    scores = np.concatenate([r[2] for r in rows])
    scales = np.concatenate([np.full(r[1].size, r[3], dtype=np.int64) for r in rows])
    responded = solve_at[tickets] + np.round(rng.exponential(86400.0, size=tickets.size))
    order = np.argsort(responded, kind="stable")
    order = order[responded[order] <= end]
    tickets = tickets[order]
    customer_names = np.array([*batch.customer_id.categories, None], dtype=object)
    channel_names = np.array(batch.channel.categories, dtype=object)
    extra: dict[str, npt.NDArray[np.object_] | FloatArray] = {}
    if texts is not None:
        reason, comment = _reasons_and_comments(
            texts, kinds[order], scores[order], wait_hours[tickets], reopened[tickets]
        )
        extra = {"reason": reason, "comment": comment, "sent_at": solve_at[tickets]}
    return SurveyTable(
        kind=kinds[order],
        score=scores[order],
        scale=scales[order],
        responded_at=responded[order],
        ticket_id=batch.ids[tickets],
        customer_id=customer_names[batch.customer_id.codes[tickets]],
        agent_id=np.array(AGENT_NAMES, dtype=object)[agent[tickets]],
        channel=channel_names[batch.channel.codes[tickets]],
        **extra,  # type: ignore[arg-type]
    )


LOW_REASONS = ("slow reply", "not solved", "had to repeat myself", "agent attitude", "product")
HIGH_REASONS = ("fast reply", "helpful agent", "solved first time")
_LOW_COMMENTS = {
    "slow reply": "Waited {hours} hours before anyone answered.",
    "not solved": "The problem came back; I had to write again.",
    "had to repeat myself": "Had to explain everything twice.",
    "agent attitude": "The answer felt scripted and curt.",
    "product": "Support was fine, the product still does not do what I need.",
}
_HIGH_COMMENTS = {
    "fast reply": "Quick answer, thanks!",
    "helpful agent": "Friendly and clear, thank you.",
    "solved first time": "Solved in one go.",
}


def _reasons_and_comments(
    rng: np.random.Generator,
    kinds: npt.NDArray[np.str_],
    scores: FloatArray,
    wait_hours: FloatArray,
    reopened: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """A reason for most CSAT answers and a comment for some, fitting the ticket.

    Low scores after a long wait mostly say "slow reply", after a reopen "not
    solved"; three in five low scores and one in five high ones leave a comment.
    """
    n = scores.size
    csat = kinds == "csat"
    low = csat & (scores <= 3)
    weights = np.tile([0.2, 0.2, 0.2, 0.2, 0.2], (n, 1))
    weights[:, 0] += np.where(wait_hours > 8, 1.2, 0.0)
    weights[:, 1] += np.where(reopened, 1.2, 0.0)
    weights /= weights.sum(axis=1, keepdims=True)
    pick_low = (rng.random(n)[:, None] > np.cumsum(weights, axis=1)).sum(axis=1)
    pick_high = rng.integers(0, len(HIGH_REASONS), size=n)
    given = rng.random(n) < 0.85
    commented = rng.random(n) < np.where(low, 0.6, 0.2)
    reason = np.full(n, None, dtype=object)
    comment = np.full(n, None, dtype=object)
    for row in np.flatnonzero(csat & given).tolist():
        if low[row]:
            name = LOW_REASONS[min(int(pick_low[row]), len(LOW_REASONS) - 1)]
            hours = round(float(wait_hours[row]))
            text = _LOW_COMMENTS[name].format(hours=hours)
            if name == "slow reply" and hours < 2:
                text = "The first answer took too long."
        else:
            name = HIGH_REASONS[int(pick_high[row])]
            text = _HIGH_COMMENTS[name]
        reason[row] = name
        comment[row] = text if commented[row] else None
    return reason, comment


def _survey_sends(
    batch: TicketBatch,
    resolved: npt.NDArray[np.bool_],
    solve_at: FloatArray,
    agent: npt.NDArray[np.int64],
    surveys: SurveyTable,
    end: float,
) -> SurveySendTable:
    """A CSAT survey sent at the (first) solve of every solved ticket before ``end``.

    A sent survey is answered when the answers hold a CSAT answer for its ticket.
    """
    tickets = np.flatnonzero(resolved & (solve_at <= end))
    tickets = tickets[np.argsort(solve_at[tickets], kind="stable")]
    ids = batch.ids[tickets]
    csat = surveys.kind == "csat"
    answered_at = dict(zip(surveys.ticket_id[csat].tolist(), surveys.responded_at[csat].tolist(), strict=True))  # fmt: skip
    customer_names = np.array([*batch.customer_id.categories, None], dtype=object)
    return SurveySendTable(
        ticket_id=ids,
        sent_at=solve_at[tickets],
        responded_at=np.array([answered_at.get(t, np.nan) for t in ids.tolist()]),
        customer_id=customer_names[batch.customer_id.codes[tickets]],
        agent_id=np.array(AGENT_NAMES, dtype=object)[agent[tickets]],
        channel=np.array(batch.channel.categories, dtype=object)[batch.channel.codes[tickets]],
    )
