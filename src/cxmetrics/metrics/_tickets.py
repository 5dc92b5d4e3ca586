"""Shared pieces of the ticket metrics: parameters, period attribution, rate results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import field_validator, model_validator

from cxmetrics.core.base import MetricParams, MetricResult, ZeroDivision, safe_ratio
from cxmetrics.core.deprecation import renamed_parameter
from cxmetrics.core.state import RatioState
from cxmetrics.definitions import DEFAULT, Definitions, as_definitions
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.stats import wilson_interval
from cxmetrics.tickets.measure import measured

__all__ = ["TicketParams", "in_period", "ratio_result", "resolved_share", "ticket_options"]

FloatArray = npt.NDArray[np.float64]


class TicketParams(MetricParams):
    """Parameters of the ticket metrics that follow :class:`~cxmetrics.Definitions`.

    Parameters
    ----------
    definitions : Definitions or str, default="default"
        The rules, or a preset name (default, zendesk, freshdesk, intercom, zammad,
        chatwoot).
    window : (datetime, datetime), optional
        Only values attributed to ``[start, end)`` count; ``definitions.attribute_to``
        says whether a value belongs to its ticket's creation or to its event (the
        reply, the solve). Aware datetimes. None: every value counts. (Called
        ``period`` before 0.4; that name still works, with a deprecation warning.)
    """

    definitions: Definitions = DEFAULT
    window: tuple[datetime, datetime] | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_names(cls, data: Any) -> Any:
        return renamed_parameter(data, old="period", new="window", owner=cls.__name__)

    @field_validator("definitions", mode="before")
    @classmethod
    def _preset(cls, value: Any) -> Any:
        return as_definitions(value)

    @field_validator("window")
    @classmethod
    def _check_window(cls, window: tuple[datetime, datetime] | None) -> Any:
        if window is None:
            return None
        start, end = window
        if start.tzinfo is None or end.tzinfo is None:
            raise InvalidParameterError("a pair of aware datetimes (start, end)")
        if not start < end:
            raise InvalidParameterError("a pair (start, end) with start before end")
        return window

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The window as epoch seconds, or None."""
        if self.window is None:
            return None
        return self.window[0].timestamp(), self.window[1].timestamp()

    @property
    def by_event(self) -> bool:
        """Whether values are attributed to their event rather than to the creation."""
        return self.definitions.attribute_to == "event"


def in_period(instants: FloatArray, bounds: tuple[float, float] | None) -> npt.NDArray[np.bool_]:
    """Which instants fall in ``[start, end)`` (all of them without a period; NaN never).

    Examples
    --------
    >>> in_period(np.array([0.0, 5.0, np.nan]), (0.0, 5.0)).tolist()
    [True, False, False]
    >>> in_period(np.array([1.0, np.nan]), None).tolist()
    [True, True]
    """
    if bounds is None:
        return np.ones(instants.size, dtype=bool)
    result: npt.NDArray[np.bool_] = (instants >= bounds[0]) & (instants < bounds[1])
    return result


# Why a ticket proportion has nothing to divide by, by metric.
_EMPTY_DENOMINATOR = {
    "fcr": "no resolved ticket in scope (no input, or none resolved yet)",
    "reopen_rate": "no solved ticket in scope (no input, or none solved yet)",
    "resolution_rate": "no ticket in scope (no input, or none in the period)",
    "transfer_rate": "no ticket in scope (no input, or none in the period)",
}


def ratio_result(
    state: RatioState, params: MetricParams, name: str, **details: Any
) -> MetricResult:
    """A proportion with its Wilson interval (``n`` = the denominator).

    Examples
    --------
    >>> ratio_result(RatioState(3, 4), MetricParams(), "fcr").value
    0.75
    """
    return MetricResult(
        safe_ratio(
            state.numerator,
            state.denominator,
            params.zero_division,
            name,
            _EMPTY_DENOMINATOR.get(name, "no input"),
        ),
        state.denominator,
        "ratio",
        wilson_interval(state.numerator, state.denominator, params.confidence),
        params.confidence,
        {"numerator": state.numerator, **details},
    )


def ticket_options(
    *,
    definitions: Definitions | str,
    window: tuple[datetime, datetime] | None,
    period: tuple[datetime, datetime] | None,
    zero_division: ZeroDivision,
    confidence: float,
    **more: Any,
) -> dict[str, Any]:
    """The keyword arguments of a ticket one-liner as its metric's parameters.

    ``period`` (the old name of ``window``) is passed on only when given, so that
    only its users see the deprecation warning.

    Examples
    --------
    >>> sorted(ticket_options(definitions="default", window=None, period=None,
    ...                       zero_division="warn", confidence=0.95))
    ['confidence', 'definitions', 'window', 'zero_division']
    """
    options: dict[str, Any] = {
        "definitions": definitions,
        "window": window,
        "zero_division": zero_division,
        "confidence": confidence,
        **more,
    }
    if period is not None:
        options["period"] = period
    return options


def resolved_share(tickets: Any, column: str, params: TicketParams) -> RatioState:
    """Resolved tickets (in the window) where the boolean ``column`` holds, over all of them.

    A ticket belongs to the window of its creation, or of its latest solve under
    ``attribute_to="event"``.

    Examples
    --------
    >>> resolved_share([], "fcr", TicketParams())
    RatioState(numerator=0, denominator=0)
    """
    table = measured(tickets, None, params.definitions)
    resolved = np.asarray(table["resolved"], dtype=bool)
    instants = table["resolved_at"] if params.by_event else table["created_at"]
    scope = resolved & in_period(np.asarray(instants, dtype=np.float64), params.bounds)
    hits = np.asarray(table[column], dtype=bool)
    return RatioState(int(np.count_nonzero(hits & scope)), int(np.count_nonzero(scope)))
