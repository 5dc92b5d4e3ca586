r"""Survey figures reweighted for non-response, beside the unweighted ones.

Customers who answer are not a random half of those asked: if chat customers answer
twice as often as email customers, a plain CSAT speaks mostly for chat. Weighting each
answer by the inverse response rate of its stratum (post-stratification) gives every
stratum the weight of the surveys *sent* to it:

.. math::
    \hat y_w = \sum_s \frac{N_s}{N}\,\bar y_s, \qquad
    \widehat{\mathrm{Var}}(\hat y_w) = \sum_s \Big(\frac{N_s}{N}\Big)^2 \frac{s_s^2}{n_s}

where :math:`N_s` surveys were sent to stratum :math:`s`, :math:`n_s` answered with
mean outcome :math:`\bar y_s` and variance :math:`s_s^2`. It corrects for who answers
*between* strata, not for who answers within one (Kalton & Flores-Cervantes 2003,
"Weighting methods", J. Official Statistics 19(2)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.insight._rows import group_codes, row_columns, survey_table
from cxmetrics.insight.responses import SEND_FIELDS
from cxmetrics.insight.score_drivers import check_outcome, outcome_values
from cxmetrics.stats import z_value

__all__ = ["ReweightedScore", "reweighted_score"]


@dataclass(frozen=True)
class ReweightedScore:
    """A survey figure reweighted by the response rate of each stratum.

    Attributes
    ----------
    outcome : str
    weighted, unweighted : float
        The figure with answers weighted by their stratum's sent / answered, and
        the plain mean over the answers (CSAT as a share, NPS on -100..100).
    lower, upper : float
        The weighted figure's normal interval (stratified variance).
    answered, sent : int
        Answers matched to a sent survey, and surveys sent (in strata with answers).
    strata : MetricTable
        Per stratum: its fields, ``sent``, ``answered``, ``response_rate``,
        ``mean``, ``weight`` (the stratum's share of the surveys sent).
    unanswered_strata : int
        Strata that were sent surveys but gave no answer: left out of both figures.
    """

    outcome: str
    weighted: float
    unweighted: float
    lower: float
    upper: float
    answered: int
    sent: int
    strata: MetricTable
    unanswered_strata: int

    def to_pandas(self) -> Any:
        """The strata as a pandas DataFrame (needs pandas)."""
        return self.strata.to_pandas()


def reweighted_score(
    sent: Any,
    responses: Any,
    *,
    outcome: str = "csat",
    strata: str | Sequence[str] = "channel",
    confidence: float = 0.95,
) -> ReweightedScore:
    """Reweight a survey figure by the response rate of each stratum.

    Parameters
    ----------
    sent : DataFrame, mapping of columns, or iterable of mappings or objects
        The surveys sent (as for :func:`response_rates`), with the ``strata`` fields.
    responses : survey answers
        Matched to the sent surveys by ticket (and kind).
    outcome : {"csat", "nps", "ces", "review"}, default="csat"
        The survey, and what each answer counts as (see ``outcome_values``).
    strata : str or sequence of str, default="channel"
        Fields of the sent rows whose combinations are the strata, e.g.
        ``("channel", "solved")``.
    confidence : float, default=0.95

    Returns
    -------
    ReweightedScore

    Examples
    --------
    Chat answers twice as often as email and is happier: the plain CSAT leans to chat.

    >>> from cxmetrics import SurveyResponse
    >>> sent = [{"ticket_id": f"c{i}", "channel": "chat"} for i in range(10)] + [
    ...         {"ticket_id": f"e{i}", "channel": "email"} for i in range(10)]
    >>> answers = [SurveyResponse(kind="csat", score=5, ticket_id=f"c{i}") for i in range(6)]
    >>> answers += [SurveyResponse(kind="csat", score=s, ticket_id=f"e{i}")
    ...             for i, s in enumerate([5, 2, 2])]
    >>> result = reweighted_score(sent, answers)
    >>> round(result.unweighted, 3), round(result.weighted, 3)
    (0.778, 0.667)
    """
    check_outcome(outcome, "reweighted_score")
    fields = (strata,) if isinstance(strata, str) else tuple(strata)
    cols = row_columns(
        sent,
        name="sent surveys",
        fields=tuple(dict.fromkeys((*SEND_FIELDS, *fields))),
        required=("ticket_id",),
    )
    keep = np.array([k is None or k == outcome for k in cols["kind"].tolist()], dtype=bool)
    cols = {name: column[keep] for name, column in cols.items()}
    codes, names = group_codes(cols, by=fields, period=None, instants=None, timezone="UTC")
    answers = survey_table(responses)
    rows = np.flatnonzero(np.asarray(answers["kind"] == outcome, dtype=bool))
    ticket_ids = answers.get("ticket_id")
    if ticket_ids is None:
        raise InvalidParameterError("reweighted_score needs survey answers with a ticket_id")
    values = outcome_values(None, answers["score"][rows], answers["scale"][rows], outcome)
    value_of = dict(zip(ticket_ids[rows].tolist(), values.tolist(), strict=True))
    y = np.array([value_of.get(t, np.nan) for t in cols["ticket_id"].tolist()])
    answered = ~np.isnan(y)
    table, total_sent, unanswered = [], 0, 0
    weighted_parts: list[tuple[int, float, float, int]] = []
    for code, key in enumerate(names):
        mask = codes == code
        n_sent = int(mask.sum())
        ys = y[mask & answered]
        if ys.size == 0:
            unanswered += 1
            continue
        variance = float(ys.var(ddof=1)) if ys.size > 1 else 0.0
        weighted_parts.append((n_sent, float(ys.mean()), variance, int(ys.size)))
        total_sent += n_sent
        table.append([*key, n_sent, int(ys.size), ys.size / n_sent, float(ys.mean())])
    if not weighted_parts:
        raise InvalidParameterError("no answer matches a sent survey: nothing to weight")
    shares = np.array([p[0] for p in weighted_parts]) / total_sent
    means = np.array([p[1] for p in weighted_parts])
    weighted = float(shares @ means)
    se = float(np.sqrt(sum(w * w * p[2] / p[3] for w, p in zip(shares, weighted_parts, strict=True))))  # fmt: skip
    z = z_value(confidence)
    for row, share in zip(table, shares.tolist(), strict=True):
        row.append(share)
    matched = y[answered]
    return ReweightedScore(
        outcome=outcome,
        weighted=weighted,
        unweighted=float(matched.mean()),
        lower=weighted - z * se,
        upper=weighted + z * se,
        answered=int(matched.size),
        sent=total_sent,
        strata=MetricTable(
            columns=(*fields, "sent", "answered", "response_rate", "mean", "weight"),
            rows=tuple(tuple(row) for row in table),
            index=fields,
        ),
        unanswered_strata=unanswered,
    )
