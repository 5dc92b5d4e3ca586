"""Shared pieces of the duration metrics: the values state and the statistics."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar, Literal, Union

import numpy as np
import numpy.typing as npt
from pydantic import field_validator
from typing_extensions import Self

from cxmetrics.core.base import Metric, MetricResult, undefined
from cxmetrics.core.sketch import QuantileSketch
from cxmetrics.core.state import State
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.metrics._tickets import TicketParams, in_period
from cxmetrics.stats import quantile_interval, t_interval
from cxmetrics.tickets.measure import measured
from cxmetrics.tickets.table import TicketTable

__all__ = [
    "DurationParams",
    "DurationSketchState",
    "DurationState",
    "Durations",
    "TicketDuration",
    "duration_result",
    "measure",
    "parse_statistic",
    "per_ticket_state",
]

_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")


def parse_statistic(statistic: str) -> float | None:
    """Return the quantile of ``statistic`` (``None`` for the mean).

    ``"max"`` (the longest, e.g. the longest wait) is the quantile 1 and ``"min"`` 0.

    Examples
    --------
    >>> parse_statistic("mean"), parse_statistic("median"), parse_statistic("p90")
    (None, 0.5, 0.9)
    >>> parse_statistic("max"), parse_statistic("min")
    (1.0, 0.0)
    """
    if statistic == "mean":
        return None
    if statistic == "median":
        return 0.5
    if statistic in ("max", "min"):
        return 1.0 if statistic == "max" else 0.0
    match = _PERCENTILE.match(statistic)
    if match is None or not 0.0 < float(match.group(1)) < 100.0:
        raise InvalidParameterError("'mean', 'median', 'max', 'min' or a percentile such as 'p90'")
    return float(match.group(1)) / 100.0


@dataclass(frozen=True, eq=False)
class DurationState(State):
    """Every measured duration (seconds), the tickets left out, the values outside the period.

    Exact for any statistic; O(n) memory (8 bytes a value).

    Attributes
    ----------
    values : float64 array
        The durations that count.
    excluded : int
        Tickets in scope without a value (no reply yet, unresolved, excluded by a rule).
    outside : int
        Tickets (creation attribution) or values (event attribution) outside the period.
    """

    values: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    excluded: int = 0
    outside: int = 0

    def __post_init__(self) -> None:
        array = np.array(self.values, dtype=np.float64, copy=True)
        array.setflags(write=False)
        object.__setattr__(self, "values", array)

    def merge(self, other: Self) -> Self:
        """Concatenate the values and add the counts.

        Examples
        --------
        >>> DurationState([1.0], 2).merge(DurationState([3.0], 1, 4)).to_dict()
        {'kind': 'DurationState', 'values': [1.0, 3.0], 'excluded': 3, 'outside': 4}
        """
        self._check_same_type(other)
        return type(self)(
            np.concatenate([self.values, other.values]),
            self.excluded + other.excluded,
            self.outside + other.outside,
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, DurationState)
        return (self.excluded, self.outside) == (other.excluded, other.outside) and bool(
            np.array_equal(np.sort(self.values), np.sort(other.values))
        )

    def __hash__(self) -> int:
        return hash((np.sort(self.values).tobytes(), self.excluded, self.outside))

    def __repr__(self) -> str:
        return (
            f"DurationState(<{self.values.size} values>, excluded={self.excluded}, "
            f"outside={self.outside})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON-able data."""
        return {
            "kind": type(self).__name__,
            "values": self.values.tolist(),
            "excluded": self.excluded,
            "outside": self.outside,
        }

    @classmethod
    def of(cls, seconds: npt.NDArray[np.float64]) -> DurationState:
        """Keep the defined values; count the undefined (NaN) ones as excluded.

        Examples
        --------
        >>> DurationState.of(np.array([60.0, np.nan])).excluded
        1
        """
        defined = ~np.isnan(seconds)
        return cls(seconds[defined], int((~defined).sum()))

    @classmethod
    def select(
        cls,
        values: npt.NDArray[np.float64],
        owner: npt.NDArray[np.int64],
        created_at: npt.NDArray[np.float64],
        event_at: npt.NDArray[np.float64],
        params: DurationParams,
    ) -> Durations:
        """Fold values (one per ticket or per event) under the params' period attribution.

        Parameters
        ----------
        values : float64 array
            Durations; NaN where undefined.
        owner : int64 array
            Ticket index of each value.
        created_at : float64 array
            Creation of every ticket (one per ticket, not per value).
        event_at : float64 array
            Instant of each value's event (the reply, the solve).
        params : DurationParams

        Examples
        --------
        >>> DurationState.select(np.array([5.0, np.nan]), np.arange(2), np.zeros(2),
        ...                      np.array([5.0, np.nan]), DurationParams()).to_dict()
        {'kind': 'DurationState', 'values': [5.0], 'excluded': 1, 'outside': 0}
        """
        n = created_at.size
        defined = ~np.isnan(values)
        has_value = np.bincount(owner[defined], minlength=n) > 0
        bounds = params.bounds
        if params.by_event:
            scope = in_period(event_at, bounds)
            kept = values[defined & scope]
            exact = cls(kept, int((~has_value).sum()), int((defined & ~scope).sum()))
        else:
            created_in = in_period(created_at, bounds)
            kept = values[defined & created_in[owner]]
            exact = cls(kept, int((created_in & ~has_value).sum()), int((~created_in).sum()))
        if params.quantiles == "sketch":
            return DurationSketchState.of(exact)
        return exact


@dataclass(frozen=True)
class DurationSketchState(State):
    """Durations as a quantile sketch plus exact sums: bounded memory, mergeable.

    The mean and its interval stay exact (sums); medians and percentiles come from
    the sketch, within its stated rank error (see :mod:`cxmetrics.core.sketch`).

    Attributes
    ----------
    sketch : QuantileSketch
    total, total_squares : float
        Sum and sum of squares of the durations, for the mean.
    excluded, outside : int
        As in :class:`DurationState`.

    Examples
    --------
    >>> state = DurationSketchState.of(DurationState([60.0, 120.0], excluded=1))
    >>> state.count, state.total, state.excluded
    (2, 180.0, 1)
    """

    sketch: QuantileSketch = field(default_factory=QuantileSketch)
    total: float = 0.0
    total_squares: float = 0.0
    excluded: int = 0
    outside: int = 0

    @classmethod
    def of(cls, exact: DurationState) -> DurationSketchState:
        """Sketch the values of an exact state, keeping its counts."""
        values = exact.values
        return cls(
            QuantileSketch.of(values),
            float(values.sum()),
            float(np.square(values).sum()),
            exact.excluded,
            exact.outside,
        )

    @property
    def count(self) -> int:
        """Number of durations seen."""
        return self.sketch.n

    def merge(self, other: Self) -> Self:
        """Merge the sketches and add the sums and counts."""
        self._check_same_type(other)
        return type(self)(
            self.sketch.merge(other.sketch),
            self.total + other.total,
            self.total_squares + other.total_squares,
            self.excluded + other.excluded,
            self.outside + other.outside,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the state as JSON-able data (the sketch as hex)."""
        return {
            "kind": type(self).__name__,
            "sketch": self.sketch.data.hex(),
            "k": self.sketch.k,
            "total": self.total,
            "total_squares": self.total_squares,
            "excluded": self.excluded,
            "outside": self.outside,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Rebuild a state written by :meth:`to_dict`."""
        return cls(
            QuantileSketch(bytes.fromhex(data["sketch"]), int(data["k"])),
            float(data["total"]),
            float(data["total_squares"]),
            int(data["excluded"]),
            int(data["outside"]),
        )


Durations = Union[DurationState, DurationSketchState]  # noqa: UP007
"""The state of a duration metric: exact values, or a sketch (``quantiles="sketch"``)."""


class DurationParams(TicketParams):
    """Parameters of the ticket duration metrics.

    Parameters
    ----------
    statistic : str, default="mean"
        ``"mean"``, ``"median"``, ``"max"`` (the longest), ``"min"`` or a
        percentile such as ``"p90"``.
    calendar : BusinessCalendar, optional
        Measure in business time of this calendar (None: calendar time).
    definitions : Definitions or str, default="default"
        The rules, or a preset name.
    period : (datetime, datetime), optional
        Only values attributed to ``[start, end)`` count (see
        :class:`~cxmetrics.metrics._tickets.TicketParams`).
    quantiles : {"exact", "sketch"}, default="exact"
        ``"exact"`` keeps every duration (8 bytes each); ``"sketch"`` keeps a KLL
        sketch of a few kilobytes, whose medians and percentiles are within 1.33%
        of rank of the exact ones (99% confidence; see
        :mod:`cxmetrics.core.sketch`). The mean is exact either way.
    """

    statistic: str = "mean"
    calendar: Any = None
    quantiles: Literal["exact", "sketch"] = "exact"

    @field_validator("statistic")
    @classmethod
    def _check_statistic(cls, statistic: str) -> str:
        parse_statistic(statistic)
        return statistic

    @field_validator("calendar")
    @classmethod
    def _check_calendar(cls, calendar: Any) -> Any:
        if calendar is not None and not hasattr(calendar, "business_seconds"):
            raise InvalidParameterError("a BusinessCalendar or None")
        return calendar


# What a ticket lacks when a duration metric has no value, by metric.
_LACKS = {
    "first_response_time": "no ticket has a first reply",
    "next_response_time": "no customer message has a reply after it",
    "average_response_time": "no ticket has a reply",
    "resolution_time": "no ticket is resolved",
    "requester_wait_time": "no ticket is resolved",
}


def _why_empty(state: DurationState, name: str) -> str:
    """Why a duration metric has no value: no input, nothing measured, or all outside."""
    if state.excluded == 0 and state.outside == 0:
        return "no input"
    parts = []
    if state.excluded:
        lacks = _LACKS.get(name, "no ticket has a value")
        parts.append(f"{lacks} ({state.excluded} ticket(s) without a value)")
    if state.outside:
        parts.append(f"{state.outside} outside the period")
    return "; ".join(parts)


def duration_result(state: Durations, params: DurationParams, name: str) -> MetricResult:
    """Turn durations into a result: the statistic as a timedelta, with its interval."""
    if isinstance(state, DurationSketchState):
        return _sketch_result(state, params, name)
    values = state.values
    quantile = parse_statistic(params.statistic)
    details = {
        "statistic": params.statistic,
        "excluded": state.excluded,
        "outside": state.outside,
        "business_time": params.calendar is not None,
    }
    if values.size == 0:
        value = undefined(params.zero_division, name, _why_empty(state, name))
        return MetricResult(
            value if math.isnan(value) else timedelta(seconds=value), 0, "seconds", None,
            params.confidence, details,
        )  # fmt: skip
    interval: tuple[Any, Any] | None
    if quantile is None:
        center = float(values.mean())
        low, high = t_interval(
            float(values.sum()), float(np.square(values).sum()), int(values.size), params.confidence
        )
        interval = None if math.isnan(low) else (timedelta(seconds=low), timedelta(seconds=high))
    else:
        center = float(np.quantile(values, quantile))
        # The extremes are exact figures of the data, with no sampling interval.
        extreme = quantile in (0.0, 1.0)
        ranks = (
            None if extreme else quantile_interval(int(values.size), quantile, params.confidence)
        )
        if ranks is None:
            interval = None
        else:
            ordered = np.sort(values)
            interval = (
                timedelta(seconds=float(ordered[ranks[0] - 1])),
                timedelta(seconds=float(ordered[ranks[1] - 1])),
            )
    return MetricResult(
        timedelta(seconds=center), int(values.size), "seconds", interval, params.confidence, details
    )


def _sketch_result(state: DurationSketchState, params: DurationParams, name: str) -> MetricResult:
    """:func:`duration_result` from a sketch: exact mean, sketched quantiles."""
    quantile = parse_statistic(params.statistic)
    n = state.count
    details = {
        "statistic": params.statistic,
        "excluded": state.excluded,
        "outside": state.outside,
        "business_time": params.calendar is not None,
        "quantiles": "sketch",
        "rank_error": state.sketch.rank_error,
    }
    if n == 0:
        value = undefined(params.zero_division, name)
        return MetricResult(
            value if math.isnan(value) else timedelta(seconds=value), 0, "seconds", None,
            params.confidence, details,
        )  # fmt: skip
    interval: tuple[Any, Any] | None = None
    if quantile is None:
        center = state.total / n
        low, high = t_interval(state.total, state.total_squares, n, params.confidence)
        if not math.isnan(low):
            interval = (timedelta(seconds=low), timedelta(seconds=high))
    else:
        center = state.sketch.quantile(quantile)
        ranks = quantile_interval(n, quantile, params.confidence)
        if ranks is not None:
            interval = (
                timedelta(seconds=state.sketch.quantile((ranks[0] - 1) / n)),
                timedelta(seconds=state.sketch.quantile((ranks[1] - 1) / n)),
            )
    return MetricResult(
        timedelta(seconds=center), n, "seconds", interval, params.confidence, details
    )


class TicketDuration(Metric[DurationState, DurationParams]):
    """Base of the ticket duration metrics: metadata and the shared compute."""

    unit: ClassVar[str] = "seconds"
    input_kind: ClassVar[str] = "tickets"
    higher_is_better: ClassVar[bool | None] = False
    lower_bound: ClassVar[float | None] = None
    state_type = DurationState
    Params = DurationParams

    def _empty_state(self) -> Any:
        if self.params.quantiles == "sketch":
            return DurationSketchState()
        return DurationState()

    @classmethod
    def _compute(cls, state: Any, params: Any) -> MetricResult:
        return duration_result(state, params, cls.name)


def per_ticket_state(
    table: TicketTable, column: str, event: str, params: DurationParams
) -> Durations:
    """Fold a per-ticket duration column, attributed to its creation or to ``event``."""
    # The params decide the clock: a reused table may hold both.
    name = f"{column}_business" if params.calendar is not None else column
    values = np.asarray(table[name], dtype=np.float64)
    return DurationState.select(
        values,
        np.arange(len(table), dtype=np.int64),
        np.asarray(table["created_at"], dtype=np.float64),
        np.asarray(table[event], dtype=np.float64),
        params,
    )


def measure(tickets: Any, params: DurationParams) -> TicketTable:
    """The per-ticket table under the params' calendar and definitions."""
    return measured(tickets, params.calendar, params.definitions)
