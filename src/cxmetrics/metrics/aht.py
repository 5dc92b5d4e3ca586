"""Average handle time (AHT): (talk + hold + wrap) / handled contacts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Literal

import numpy as np

from cxmetrics.core.base import Metric, MetricResult, ZeroDivision, undefined
from cxmetrics.core.local_time import bucket_codes, interval_seconds, local_to_utc
from cxmetrics.core.result_table import MetricTable
from cxmetrics.core.state import State
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics._calls import CallParams
from cxmetrics.registry import register
from cxmetrics.stats import t_interval
from cxmetrics.tables.calls import CallColumns
from cxmetrics.tables.calls import missing as is_missing
from cxmetrics.tables.inputs import call_columns

__all__ = ["AHT", "AHTParams", "HandleTimeState", "aht", "aht_by_interval"]


@dataclass(frozen=True)
class HandleTimeState(State):
    """Sums of talk, hold and wrap seconds, the sum of squared handle times, the count."""

    talk: float = 0.0
    hold: float = 0.0
    wrap: float = 0.0
    total_squares: float = 0.0
    count: int = 0

    @property
    def total(self) -> float:
        """Total handle seconds."""
        return self.talk + self.hold + self.wrap


class AHTParams(CallParams):
    """Parameters of :class:`AHT`.

    Parameters
    ----------
    direction : {"any", "inbound", "outbound"}, default="any"
        Which contacts count.
    per : {"leg", "contact"}, default="leg"
        ``"leg"``: every ``Call`` record is one handled contact (a transferred call
        counts once per agent leg, as Amazon Connect does). ``"contact"``: legs
        sharing an ``id`` are one customer contact whose handle time is the sum of
        its legs (merging then assumes all legs of a contact are in one partition).
    """

    direction: Literal["any", "inbound", "outbound"] = "any"
    per: Literal["leg", "contact"] = "leg"


def _handled_mask(columns: CallColumns, params: AHTParams) -> Any:
    # A mask, not CallColumns.select: copying every column (ids included) would cost
    # more than the whole metric.
    mask = columns.answered
    if params.channel is not None:
        mask = mask & (columns.channel == params.channel)
    if params.direction != "any":
        mask = mask & (columns.inbound == (params.direction == "inbound"))
    return mask


def _contact_codes(ids: Any) -> Any:
    # Legs without an id are contacts of their own.
    missing = is_missing(ids)
    codes = np.empty(ids.size, dtype=np.int64)
    if (~missing).any():
        _, codes[~missing] = np.unique(ids[~missing].astype(str), return_inverse=True)
    top = int(codes[~missing].max()) + 1 if (~missing).any() else 0
    codes[missing] = top + np.arange(int(missing.sum()))
    return codes


def _aht_update(items: Any, params: AHTParams) -> HandleTimeState:
    columns = call_columns(items, owner="aht")
    mask = _handled_mask(columns, params)
    talk, hold, wrap = columns.talk[mask], columns.hold[mask], columns.wrap[mask]
    if params.per == "contact" and talk.size:
        codes = _contact_codes(columns.id[mask])
        # Codes are 0..k-1 with no gaps, so every bin is one contact.
        talk, hold, wrap = (
            np.bincount(codes, weights=v).astype(np.float64) for v in (talk, hold, wrap)
        )
    total = talk + hold + wrap
    return HandleTimeState(
        talk=float(talk.sum()),
        hold=float(hold.sum()),
        wrap=float(wrap.sum()),
        total_squares=float(np.square(total).sum()),
        count=int(total.size),
    )


def _mean_td(total: float, count: int) -> timedelta:
    return timedelta(seconds=total / count)


def _aht_compute(state: HandleTimeState, params: AHTParams) -> MetricResult:
    if state.count == 0:
        nan = undefined(params.zero_division, "aht", "no handled contact")
        value: Any = nan if math.isnan(nan) else timedelta(seconds=nan)
        return MetricResult(value, n=0, unit="seconds", confidence=params.confidence)
    low, high = t_interval(state.total, state.total_squares, state.count, params.confidence)
    interval = (
        None if math.isnan(low) else (timedelta(seconds=max(0.0, low)), timedelta(seconds=high))
    )
    return MetricResult(
        value=_mean_td(state.total, state.count),
        n=state.count,
        unit="seconds",
        interval=interval,
        confidence=params.confidence,
        details={
            "talk": _mean_td(state.talk, state.count),
            "hold": _mean_td(state.hold, state.count),
            "wrap": _mean_td(state.wrap, state.count),
        },
    )


def aht(
    items: Any,
    *,
    channel: str | None = None,
    direction: Literal["any", "inbound", "outbound"] = "any",
    per: Literal["leg", "contact"] = "leg",
    zero_division: ZeroDivision = "warn",
) -> timedelta | float:
    r"""Average handle time of the handled (answered) contacts.

    .. math:: \mathrm{AHT} = \frac{\sum \mathrm{talk} + \sum \mathrm{hold} + \sum \mathrm{wrap}}{\text{handled contacts}}

    Abandoned contacts are excluded. The components are in the
    :class:`AHT` result's ``details``.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
        Live contacts; tickets contribute their calls.
    channel : str, optional
        Keep one channel (``"phone"``, ``"chat"``…).
    direction : {"any", "inbound", "outbound"}, default="any"
    per : {"leg", "contact"}, default="leg"
        Count each transferred leg as a contact, or sum the legs sharing an ``id``.
    zero_division : {"warn", "raise"} or float, default="warn"
        Value without handled contacts: ``"warn"`` gives ``nan`` and a warning.

    Returns
    -------
    timedelta
        The AHT (lower is cheaper), or ``nan`` when undefined.

    See Also
    --------
    AHT : mergeable class with the components and a t-interval.
    aht_by_interval : AHT per 15/30/60-minute interval.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls = [Call(at=at, talk=200, hold=30, wrap=40), Call(at=at, talk=100, wrap=20),
    ...          Call(at=at, wait=50, abandoned=True)]
    >>> aht(calls)
    datetime.timedelta(seconds=195)
    """
    metric = AHT(channel=channel, direction=direction, per=per, zero_division=zero_division)
    metric.update(items)
    value: timedelta | float = metric.compute().value
    return value


def aht_by_interval(
    items: Any,
    interval: timedelta | float = timedelta(minutes=30),
    *,
    attribute_by: Literal["wrap_end", "arrival"] = "wrap_end",
    timezone: str = "UTC",
    channel: str | None = None,
    direction: Literal["any", "inbound", "outbound"] = "any",
) -> MetricTable:
    """AHT per interval, each contact attributed to the interval its wrap-up ends in.

    Contact-center platforms (Genesys, Amazon Connect, Avaya) report a contact's
    handle time in the interval where the work on it finished, since only then is
    the handle time known; ``attribute_by="arrival"`` uses the arrival instead.
    The wrap-up ends at ``at + wait + talk + hold + wrap``.

    Parameters
    ----------
    items : iterable of Call or Ticket, or a mapping of columns
    interval : timedelta or float, default=30 minutes
        Width of the intervals; must divide a day (15, 30, 60 minutes…).
    attribute_by : {"wrap_end", "arrival"}, default="wrap_end"
    timezone : str, default="UTC"
        IANA zone whose wall clock the intervals are aligned to.
    channel, direction
        As in :func:`aht`.

    Returns
    -------
    MetricTable
        Columns ``start_at`` (aware datetime), ``handled``, ``aht``, ``talk``,
        ``hold``, ``wrap`` (mean timedeltas). Intervals without handled contacts
        are absent.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, 20, tzinfo=timezone.utc)
    >>> table = aht_by_interval([Call(at=at, talk=900, wrap=60), Call(at=at, talk=60)])
    >>> [(row[0].strftime("%H:%M"), row[1], row[2].total_seconds()) for row in table.rows]
    [('09:00', 1, 60.0), ('09:30', 1, 960.0)]
    """
    width = interval_seconds(interval, "aht_by_interval")
    if attribute_by not in ("wrap_end", "arrival"):
        raise InvalidParameterError(
            "The 'attribute_by' parameter of aht_by_interval must be 'wrap_end' or "
            f"'arrival'. Got {attribute_by!r} instead."
        )
    params = AHTParams(channel=channel, direction=direction)
    columns = call_columns(items, owner="aht_by_interval")
    mask = _handled_mask(columns, params)
    talk, hold, wrap = columns.talk[mask], columns.hold[mask], columns.wrap[mask]
    when = columns.at[mask]
    if attribute_by == "wrap_end":
        when = when + columns.wait[mask] + talk + hold + wrap
    codes, distinct = bucket_codes(when, width, timezone)
    counts = np.bincount(codes, minlength=distinct.size)
    means = [
        np.bincount(codes, weights=values, minlength=distinct.size) / np.maximum(counts, 1)
        for values in (talk, hold, wrap)
    ]
    # Plain Python lists: indexing numpy scalars row by row costs more than the kernel.
    columns_out = [(means[0] + means[1] + means[2]).tolist(), *(m.tolist() for m in means)]
    rows = tuple(
        (
            local_to_utc(start, timezone),
            count,
            *(timedelta(seconds=column[i]) for column in columns_out),
        )
        for i, (start, count) in enumerate(zip(distinct.tolist(), counts.tolist(), strict=True))
    )
    return MetricTable(
        columns=("start_at", "handled", "aht", "talk", "hold", "wrap"),
        rows=rows,
        index=("start_at",),
    )


@register
class AHT(Metric[HandleTimeState, AHTParams]):
    """Average handle time, mergeable, with its talk/hold/wrap components and a t-interval.

    Parameters
    ----------
    **params
        Keyword arguments, validated into ``AHT.Params``: the
        ones listed under Other Parameters.

    Other Parameters
    ----------------
    channel : str, optional
    direction : {"any", "inbound", "outbound"}, default="any"
    per : {"leg", "contact"}, default="leg"
    zero_division : {"warn", "raise"} or float, default="warn"
    confidence : float, default=0.95

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from cxmetrics import Call
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> metric = AHT()
    >>> metric.update([Call(at=at, talk=200, hold=30, wrap=40), Call(at=at, talk=100, wrap=20)])
    >>> result = metric.compute()
    >>> result.value.total_seconds(), result.n, result.details["wrap"].total_seconds()
    (195.0, 2, 30.0)
    """

    name: ClassVar[str] = "aht"
    unit: ClassVar[str] = "seconds"
    input_kind: ClassVar[str] = "calls"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = None
    state_type = HandleTimeState
    Params = AHTParams

    @staticmethod
    def _update(items: Any, params: Any) -> HandleTimeState:
        return _aht_update(items, params)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return _aht_compute(state, params)
