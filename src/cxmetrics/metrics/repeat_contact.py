"""First-contact resolution of live contacts, by the repeat-contact rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

import numpy as np
import numpy.typing as npt
from pydantic import AwareDatetime, field_validator

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.state import RatioState
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics._calls import CallParams
from cxmetrics.registry import register
from cxmetrics.stats import wilson_interval
from cxmetrics.tables.calls import missing
from cxmetrics.tables.inputs import call_columns

__all__ = ["RepeatContactFCR", "RepeatContactParams", "repeat_contact_fcr", "repeat_outcomes"]


class RepeatContactParams(CallParams):
    """Parameters of :class:`RepeatContactFCR`.

    Parameters
    ----------
    within : timedelta, default=7 days
        A contact is resolved first time when the same customer does not contact
        again within this window after it (numbers are seconds).
    same_queue : bool, default=False
        Count only repeats in the same queue (a proxy for "same issue").
    repeats : {"any", "handled"}, default="any"
        Which later contacts count as repeats: any inbound attempt (abandoned ones
        too: the customer tried again), or only handled ones.
    observed_until : datetime, optional
        End of the data. Contacts whose window runs past it are left out (their
        repeat may not be in the data yet). ``None`` keeps them all.
    """

    within: timedelta = timedelta(days=7)
    same_queue: bool = False
    repeats: Literal["any", "handled"] = "any"
    observed_until: AwareDatetime | None = None

    @field_validator("within")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise InvalidParameterError("within must be a positive duration")
        return value


def _codes(values: Any) -> Any:
    return np.unique(values.astype(str), return_inverse=True)[1].reshape(-1).astype(np.int64)


def repeat_outcomes(
    items: Any, params: RepeatContactParams
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Each contact's part in the FCR: whether it counts, and whether it was resolved first time.

    Both arrays follow the rows of ``items`` (as :func:`call_columns` reads them).
    A contact's outcome depends on the customer's later contacts, so a report
    computes the outcomes over all contacts once and then cuts them by period and
    segment: a repeat in the next week still counts against this week's contact.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> day = lambda d: datetime(2024, 3, d, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=day(1), customer_id="a", talk=60), Call(at=day(3), customer_id="a",
    ...          talk=60), Call(at=day(1), customer_id="b", talk=60)]
    >>> counted, resolved = repeat_outcomes(calls, RepeatContactParams())
    >>> counted.tolist(), resolved.tolist()
    ([True, True, True], [False, True, True])
    """
    everything = call_columns(items, owner="repeat_contact_fcr")
    n = len(everything)
    counted_rows = np.zeros(n, dtype=bool)
    resolved_rows = np.zeros(n, dtype=bool)
    eligible = everything.inbound & ~missing(everything.customer_id)
    if params.channel is not None:
        eligible &= everything.channel == params.channel
    rows = np.flatnonzero(eligible)
    if rows.size == 0:
        return counted_rows, resolved_rows
    columns = everything.select(eligible)
    group = _codes(columns.customer_id)
    if params.same_queue:
        queue = _codes(np.where(missing(columns.queue), "", columns.queue))
        group = group * (int(queue.max()) + 1) + queue
    times, rank = np.unique(columns.at, return_inverse=True)
    rank = rank.reshape(-1)
    stride = times.size + 1
    key = group * stride + rank  # orders contacts by customer, then time
    repeat_keys = np.sort(key[columns.answered] if params.repeats == "handled" else key)
    counted = columns.answered.copy()
    if params.observed_until is not None:
        horizon = params.observed_until.timestamp() - params.within.total_seconds()
        counted &= columns.at <= horizon
    own = key[counted]
    nxt = np.searchsorted(repeat_keys, own, side="right")
    found = nxt < repeat_keys.size
    next_key = repeat_keys[np.minimum(nxt, repeat_keys.size - 1)] if repeat_keys.size else own
    same = found & (next_key // stride == own // stride)
    gap = times[next_key % stride] - times[own % stride]
    repeated = same & (gap <= params.within.total_seconds())
    mine = rows[counted]
    counted_rows[mine] = True
    resolved_rows[mine] = ~repeated
    return counted_rows, resolved_rows


def _repeat_update(items: Any, params: RepeatContactParams) -> RatioState:
    counted, resolved = repeat_outcomes(items, params)
    return RatioState(numerator=int(resolved.sum()), denominator=int(counted.sum()))


def _repeat_compute(state: RatioState, params: RepeatContactParams) -> MetricResult:
    return MetricResult(
        value=safe_ratio(
            state.numerator, state.denominator, params.zero_division, "repeat_contact_fcr"
        ),
        n=state.denominator,
        unit="ratio",
        interval=wilson_interval(state.numerator, state.denominator, params.confidence),
        confidence=params.confidence,
        details={"resolved_first_time": state.numerator, "within": params.within},
    )


def repeat_contact_fcr(
    items: Any,
    *,
    within: timedelta | float = timedelta(days=7),
    same_queue: bool = False,
    repeats: Literal["any", "handled"] = "any",
    observed_until: datetime | None = None,
    channel: str | None = None,
    zero_division: ZeroDivision = "warn",
) -> float:
    r"""Share of handled contacts not followed by another from the same customer within N days.

    .. math:: \mathrm{FCR} = \frac{|\{c \text{ handled} : \nexists\, c' \text{ same customer},\ c.at < c'.at \le c.at + N\}|}{|\{c \text{ handled}\}|}

    Only inbound contacts with a ``customer_id`` count (unidentified callers
    cannot be matched). The outcome belongs to the first contact (attribute it
    to that contact's date when grouping).

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    within : timedelta or float, default=7 days
        The repeat window N (1, 3 and 7 days are common).
    same_queue : bool, default=False
        Only repeats in the same queue count.
    repeats : {"any", "handled"}, default="any"
        Whether abandoned later attempts count as repeats.
    observed_until : datetime, optional
        End of the observed data; contacts whose window is not fully observed are
        left out. Recommended: without it, the last N days look resolved.
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"

    Returns
    -------
    float
        In [0, 1]; higher is better.

    Notes
    -----
    Mergeable only across partitions that keep each customer's contacts
    together (partition by ``customer_id``).

    See Also
    --------
    RepeatContactFCR : mergeable class with a Wilson interval.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> day = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=day, customer_id="a", talk=60),
    ...          Call(at=day.replace(day=3), customer_id="a", talk=60),
    ...          Call(at=day, customer_id="b", talk=60),
    ...          Call(at=day.replace(day=20), customer_id="b", talk=60)]
    >>> repeat_contact_fcr(calls, within=timedelta(days=7))
    0.75
    """
    metric = RepeatContactFCR(
        within=within,
        same_queue=same_queue,
        repeats=repeats,
        observed_until=observed_until,
        channel=channel,
        zero_division=zero_division,
    )
    metric.update(items)
    return float(metric.compute().value)


@register
class RepeatContactFCR(Metric[RatioState, RepeatContactParams]):
    """Repeat-contact first-contact resolution, mergeable across customer partitions.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``RepeatContactFCR.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    within : timedelta, default=7 days
    same_queue : bool, default=False
    repeats : {"any", "handled"}, default="any"
    observed_until : datetime, optional
    channel : str, optional
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> day = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> metric = RepeatContactFCR(within=86400)
    >>> metric.update([Call(at=day, customer_id="a", talk=9),
    ...                Call(at=day.replace(hour=15), customer_id="a", talk=9)])
    >>> metric.compute().value
    0.5
    """

    name: ClassVar[str] = "repeat_contact_fcr"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "calls"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = RepeatContactParams

    @staticmethod
    def row_outcomes(
        items: Any, params: Any
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Per contact: counted and resolved first time (see :func:`repeat_outcomes`).

        The report cuts these by period and segment instead of updating the
        metric on each group alone, which would miss repeats in the next period.
        """
        return repeat_outcomes(items, params)

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        return _repeat_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _repeat_compute(state, params)
