"""Survey answers for the generated tickets: CSAT, NPS and CES, worse after long waits."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.datasets.shapes import AGENT_NAMES, FloatArray
from cxmetrics.datasets.tables import SurveyTable
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
) -> SurveyTable:
    """CSAT, NPS and CES answers for some solved tickets, worse after long waits.

    Answers come about a day after the (first) solve; those after ``end`` are not
    in the export.
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
    return SurveyTable(
        kind=kinds[order],
        score=scores[order],
        scale=scales[order],
        responded_at=responded[order],
        ticket_id=batch.ids[tickets],
        customer_id=customer_names[batch.customer_id.codes[tickets]],
        agent_id=np.array(AGENT_NAMES, dtype=object)[agent[tickets]],
        channel=channel_names[batch.channel.codes[tickets]],
    )
