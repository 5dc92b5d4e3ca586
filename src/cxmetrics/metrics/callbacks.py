"""Callbacks and voicemail: how soon the team calls back, and how many it calls back.

A callback request (a caller who chose "call me back" instead of waiting, or who
left a voicemail) is a mapping or object with ``requested_at`` and
``called_back_at`` (None while not called back), and optionally ``source``
(``"queue"``, ``"voicemail"``…). Instants are timezone-aware datetimes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import numpy as np
from pydantic import field_validator

from cxmetrics.core.base import (
    Metric,
    MetricParams,
    MetricResult,
    ZeroDivision,
    safe_ratio,
)
from cxmetrics.core.state import RatioState
from cxmetrics.metrics._duration import DurationState, duration_result, parse_statistic
from cxmetrics.registry import register
from cxmetrics.stats import wilson_interval
from cxmetrics.tables.inputs import callback_input
from cxmetrics.tables.schema import RecordTable

__all__ = [
    "CallbackParams",
    "CallbackTime",
    "CallbacksKept",
    "CallbacksKeptParams",
    "callback_time",
    "callbacks_kept",
]


def _columns(table: RecordTable, source: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Request and call-back instants of a callbacks table, of one ``source`` if given."""
    if source is None:
        return table["requested_at"], table["called_back_at"]
    rows = np.asarray(table["source"] == source, dtype=bool)
    return table["requested_at"][rows], table["called_back_at"][rows]


def callback_time(
    callbacks: Any,
    *,
    statistic: str = "mean",
    source: str | None = None,
    zero_division: ZeroDivision = "warn",
) -> timedelta | float:
    """Time from a callback request to the call back, over the requests called back.

    Parameters
    ----------
    callbacks : iterable of mappings or objects, or a table
        ``requested_at``, ``called_back_at`` (None: not called back), ``source``;
        or a DataFrame / callbacks table (see :func:`~cxmetrics.io.to_callback_table`).
    statistic : str, default="mean"
        ``"mean"``, ``"median"``, ``"max"`` (the longest a customer waited for a
        call back), ``"min"`` or a percentile such as ``"p90"``, as
        :class:`CallbackTime` takes.
    source : str, optional
        Only the requests of this source, e.g. ``"voicemail"``.
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> requests = [{"requested_at": t0, "called_back_at": t0 + timedelta(minutes=m)}
    ...             for m in (10, 30, 50)] + [{"requested_at": t0, "called_back_at": None}]
    >>> callback_time(requests), callback_time(requests, statistic="max")
    (datetime.timedelta(seconds=1800), datetime.timedelta(seconds=3000))
    """
    metric = CallbackTime(statistic=statistic, source=source, zero_division=zero_division)
    metric.update(callbacks)
    value: timedelta | float = metric.compute().value
    return value


def callbacks_kept(
    callbacks: Any,
    *,
    within: timedelta | None = None,
    source: str | None = None,
    zero_division: ZeroDivision = "warn",
) -> float:
    """Share of callback requests that were called back (within ``within``, if given).

    Parameters
    ----------
    callbacks : iterable of mappings or objects
    within : timedelta, optional
        The promise: a call back later than this is not kept.
    source : str, optional
        Only the requests of this source, e.g. ``"voicemail"``.
    zero_division : {"warn", "raise"} or float, default="warn"

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> requests = [{"requested_at": t0, "called_back_at": t0 + timedelta(minutes=m)}
    ...             for m in (10, 30, 90)] + [{"requested_at": t0, "called_back_at": None}]
    >>> callbacks_kept(requests), callbacks_kept(requests, within=timedelta(hours=1))
    (0.75, 0.5)
    """
    metric = CallbacksKept(within=within, source=source, zero_division=zero_division)
    metric.update(callbacks)
    return float(metric.compute().value)


class CallbackParams(MetricParams):
    """Parameters of :class:`CallbackTime`: the ``statistic`` and the ``source``.

    ``statistic`` is ``"mean"``, ``"median"``, ``"max"`` (the longest wait for a
    call back), ``"min"`` or a percentile such as ``"p90"``.
    """

    statistic: str = "mean"
    source: str | None = None

    @field_validator("statistic")
    @classmethod
    def _known(cls, statistic: str) -> str:
        parse_statistic(statistic)
        return statistic

    @property
    def calendar(self) -> None:
        """Callback times are in calendar time."""
        return None


@register
class CallbackTime(Metric[DurationState, CallbackParams]):
    """Time from a callback request to the call back, mergeable; see :func:`callback_time`.

    The requests not called back count in ``details["excluded"]``.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> metric = CallbackTime(statistic="max")
    >>> metric.update([{"requested_at": t0, "called_back_at": t0 + timedelta(minutes=m)}
    ...                for m in (10, 50)])
    >>> metric.compute().value
    datetime.timedelta(seconds=3000)
    """

    name: ClassVar[str] = "callback_time"
    unit: ClassVar[str] = "seconds"
    input_kind: ClassVar[str] = "callbacks"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = 0.0
    state_type = DurationState
    Params = CallbackParams

    @staticmethod
    def _update(items: Any, params: Any) -> DurationState:
        requested, called = _columns(callback_input(items), params.source)
        back = ~np.isnan(called)
        return DurationState(called[back] - requested[back], int((~back).sum()), 0)

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return duration_result(state, params, "callback_time")


class CallbacksKeptParams(MetricParams):
    """Parameters of :class:`CallbacksKept`: the promise ``within`` and the ``source``."""

    within: timedelta | None = None
    source: str | None = None


@register
class CallbacksKept(Metric[RatioState, CallbacksKeptParams]):
    """Share of callback requests called back (within the promise), mergeable, Wilson interval.

    Examples
    --------
    >>> from datetime import datetime, timedelta, timezone
    >>> t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    >>> metric = CallbacksKept(within=timedelta(hours=1))
    >>> metric.update([{"requested_at": t0, "called_back_at": t0 + timedelta(minutes=m)}
    ...                for m in (10, 90)] + [{"requested_at": t0}])
    >>> round(metric.compute().value, 4)
    0.3333
    """

    name: ClassVar[str] = "callbacks_kept"
    unit: ClassVar[str] = "ratio"
    input_kind: ClassVar[str] = "callbacks"
    higher_is_better: ClassVar[bool | None] = True
    lower_bound: ClassVar[float | None] = 0.0
    upper_bound: ClassVar[float | None] = 1.0
    state_type = RatioState
    Params = CallbacksKeptParams

    @staticmethod
    def _update(items: Any, params: Any) -> RatioState:
        requested, called = _columns(callback_input(items), params.source)
        kept = ~np.isnan(called)
        if params.within is not None:
            kept &= (called - requested) <= params.within.total_seconds()
        return RatioState(numerator=int(kept.sum()), denominator=int(requested.size))

    @staticmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        return MetricResult(
            value=safe_ratio(
                state.numerator, state.denominator, params.zero_division, "callbacks_kept"
            ),
            n=state.denominator,
            unit="ratio",
            interval=wilson_interval(state.numerator, state.denominator, params.confidence),
            confidence=params.confidence,
            details={"kept": state.numerator},
        )
