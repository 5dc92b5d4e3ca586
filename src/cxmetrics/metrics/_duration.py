"""Shared pieces of the duration metrics: the values state and the statistics."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import field_validator
from typing_extensions import Self

from cxmetrics.definitions import Definitions
from cxmetrics.metrics.base import MetricParams, MetricResult, undefined
from cxmetrics.metrics.state import State
from cxmetrics.stats import quantile_interval, t_interval

__all__ = ["DurationParams", "DurationState", "duration_result", "parse_statistic"]

_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d+)?)$")


def parse_statistic(statistic: str) -> float | None:
    """Return the quantile of ``statistic`` (``None`` for the mean).

    Examples
    --------
    >>> parse_statistic("mean"), parse_statistic("median"), parse_statistic("p90")
    (None, 0.5, 0.9)
    """
    if statistic == "mean":
        return None
    if statistic == "median":
        return 0.5
    match = _PERCENTILE.match(statistic)
    if match is None or not 0.0 < float(match.group(1)) < 100.0:
        raise ValueError("'mean', 'median' or a percentile such as 'p90'")
    return float(match.group(1)) / 100.0


@dataclass(frozen=True, eq=False)
class DurationState(State):
    """Every measured duration (seconds) and the number of tickets left out.

    Exact for any statistic; O(n) memory (8 bytes a value).
    """

    values: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    excluded: int = 0

    def __post_init__(self) -> None:
        array = np.array(self.values, dtype=np.float64, copy=True)
        array.setflags(write=False)
        object.__setattr__(self, "values", array)

    def merge(self, other: Self) -> Self:
        """Concatenate the values and add the exclusions."""
        self._check_same_type(other)
        return type(self)(
            np.concatenate([self.values, other.values]), self.excluded + other.excluded
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, DurationState)
        return self.excluded == other.excluded and bool(
            np.array_equal(np.sort(self.values), np.sort(other.values))
        )

    def __hash__(self) -> int:
        return hash((np.sort(self.values).tobytes(), self.excluded))

    def to_dict(self) -> dict[str, Any]:
        """Return the state as plain JSON-able data."""
        return {
            "kind": type(self).__name__,
            "values": self.values.tolist(),
            "excluded": self.excluded,
        }

    @classmethod
    def of(cls, seconds: npt.NDArray[np.float64]) -> DurationState:
        """Keep the defined values; count the undefined (NaN) ones as excluded."""
        defined = ~np.isnan(seconds)
        return cls(seconds[defined], int((~defined).sum()))


class DurationParams(MetricParams):
    """Parameters of the ticket duration metrics.

    Parameters
    ----------
    statistic : str, default="mean"
        ``"mean"``, ``"median"`` or a percentile such as ``"p90"``.
    calendar : BusinessCalendar, optional
        Measure in business time of this calendar (None: calendar time).
    definitions : Definitions or str, default="default"
        The rules, or a preset name.
    """

    statistic: str = "mean"
    calendar: Any = None
    definitions: Definitions = Definitions.preset("default")

    @field_validator("statistic")
    @classmethod
    def _check_statistic(cls, statistic: str) -> str:
        parse_statistic(statistic)
        return statistic

    @field_validator("definitions", mode="before")
    @classmethod
    def _preset(cls, value: Any) -> Any:
        return Definitions.preset(value) if isinstance(value, str) else value

    @field_validator("calendar")
    @classmethod
    def _check_calendar(cls, calendar: Any) -> Any:
        if calendar is not None and not hasattr(calendar, "business_seconds"):
            raise ValueError("a BusinessCalendar or None")
        return calendar


def duration_result(state: DurationState, params: DurationParams, name: str) -> MetricResult:
    """Turn durations into a result: the statistic as a timedelta, with its interval."""
    values = state.values
    quantile = parse_statistic(params.statistic)
    details = {
        "statistic": params.statistic,
        "excluded": state.excluded,
        "business_time": params.calendar is not None,
    }
    if values.size == 0:
        value = undefined(params.zero_division, name)
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
        ranks = quantile_interval(int(values.size), quantile, params.confidence)
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
