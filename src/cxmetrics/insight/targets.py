"""Targets per metric, read from TOML, and whether each figure met its target.

A targets file names registered metrics; a number is the target, a duration
string (``"4h"``, ``"30m"``, ``"1d 12h"``) a target for a duration metric, and a
table gives the direction when the registry's ``higher_is_better`` does not::

    # targets.toml
    [targets]
    csat = 0.85                        # at least 85 % satisfied
    first_response_time = "4h"         # at most four hours
    fcr = { value = 0.7 }
    backlog = { value = 120, direction = "at_most" }
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from cxmetrics.core.base import MetricResult
from cxmetrics.core.result_table import MetricTable
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io.config import read_toml
from cxmetrics.registry import get_metric

__all__ = ["Target", "evaluate_targets", "parse_duration", "read_targets", "targets_from_dict"]

Direction = Literal["at_least", "at_most"]

_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([dhms])\s*")


def parse_duration(text: str) -> timedelta:
    """Read ``"4h"``, ``"30m"``, ``"1d 12h"`` or ``"90s"`` as a ``timedelta``.

    Examples
    --------
    >>> parse_duration("1h30m"), parse_duration("2d")
    (datetime.timedelta(seconds=5400), datetime.timedelta(days=2))
    >>> parse_duration("soon")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: 'soon' is not a duration such as '4h', '30m' or '1d 12h'
    """
    position, seconds = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != position:
            break
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position != len(text) or position == 0:
        raise InvalidParameterError(f"{text!r} is not a duration such as '4h', '30m' or '1d 12h'")
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Target:
    """A target for one metric.

    Attributes
    ----------
    metric : str
        A registered metric name (``"csat"``, ``"first_response_time"``…).
    value : float or timedelta
    direction : {"at_least", "at_most"}
        Whether the figure must reach the target from above or stay under it.

    Examples
    --------
    >>> Target("csat", 0.85, "at_least").met(0.9)
    True
    >>> Target("first_response_time", timedelta(hours=4), "at_most").met(timedelta(hours=5))
    False
    """

    metric: str
    value: float | timedelta
    direction: Direction

    @property
    def number(self) -> float:
        """The target as a float (seconds for durations)."""
        return _number(self.value)

    def met(self, value: float | timedelta | MetricResult | None) -> bool | None:
        """Whether ``value`` meets the target; ``None`` when it is missing or NaN."""
        figure = _number(value)
        if math.isnan(figure):
            return None
        return figure >= self.number if self.direction == "at_least" else figure <= self.number


def _number(value: Any) -> float:
    if isinstance(value, MetricResult):
        value = value.value
    if value is None:
        return math.nan
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _target(metric: str, spec: Any, source: str) -> Target:
    cls = get_metric(metric)  # UnknownMetricError with a did-you-mean
    direction: Any = None
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"value", "direction"}
        if unknown or "value" not in spec:
            raise InvalidParameterError(
                f"{source}: the target of {metric!r} must be a number, a duration or a table "
                f"with 'value' (and optionally 'direction'); got keys {sorted(spec)}"
            )
        direction, spec = spec.get("direction"), spec["value"]
    if isinstance(spec, str):
        value: float | timedelta = parse_duration(spec)
    elif isinstance(spec, timedelta):
        value = spec
    elif isinstance(spec, (int, float)) and not isinstance(spec, bool):
        value = float(spec)
    else:
        raise InvalidParameterError(f"{source}: the target of {metric!r} is {spec!r}")
    if direction is None:
        if cls.higher_is_better is None:
            raise InvalidParameterError(
                f"{source}: {metric!r} has no better direction; give the target as "
                '{ value = ..., direction = "at_least" } or "at_most"'
            )
        direction = "at_least" if cls.higher_is_better else "at_most"
    if direction not in ("at_least", "at_most"):
        raise InvalidParameterError(
            f"{source}: the direction of {metric!r} must be 'at_least' or 'at_most', "
            f"got {direction!r}"
        )
    return Target(metric, value, direction)


def targets_from_dict(data: Mapping[str, Any], *, source: str = "targets") -> tuple[Target, ...]:
    """Build targets from a mapping (a parsed TOML file, with or without ``[targets]``).

    Examples
    --------
    >>> [t.direction for t in targets_from_dict({"csat": 0.8, "first_response_time": "4h"})]
    ['at_least', 'at_most']
    """
    table = data.get("targets", data)
    if not isinstance(table, Mapping):
        raise InvalidParameterError(f"{source}: [targets] must be a table of metric = target")
    return tuple(_target(str(name), spec, source) for name, spec in table.items())


def read_targets(path: str | Path) -> tuple[Target, ...]:
    r"""Read a targets TOML file (see the module documentation for its format).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     file = pathlib.Path(tmp) / "targets.toml"
    ...     _ = file.write_text('[targets]\ncsat = 0.85\nfirst_response_time = "4h"\n')
    ...     targets = read_targets(file)
    >>> targets[1]
    Target(metric='first_response_time', value=datetime.timedelta(seconds=14400), direction='at_most')
    """
    return targets_from_dict(read_toml(path), source=Path(path).name)


def evaluate_targets(
    values: Mapping[str, float | timedelta | MetricResult | None], targets: Iterable[Target]
) -> MetricTable:
    """Each target beside its metric's figure: met, missed, or no figure.

    Parameters
    ----------
    values : mapping of metric name to value or MetricResult
        The headline figures (e.g. the whole-window value of each metric).
    targets : iterable of Target

    Returns
    -------
    MetricTable
        ``metric``, ``value``, ``target``, ``direction``, ``met`` (True, False, or
        None when the figure is missing), ``gap`` (value minus target, in the
        metric's unit; seconds for durations).

    Examples
    --------
    >>> targets = targets_from_dict({"csat": 0.85, "first_response_time": "4h"})
    >>> table = evaluate_targets({"csat": 0.81, "first_response_time": timedelta(hours=3)},
    ...                          targets)
    >>> table.column("met"), [round(g, 2) for g in table.column("gap")]
    ([False, True], [-0.04, -3600.0])
    """
    rows = []
    for target in targets:
        value = values.get(target.metric)
        figure = value.value if isinstance(value, MetricResult) else value
        number = _number(figure)
        gap = number - target.number
        rows.append(
            (target.metric, figure, target.value, target.direction, target.met(number), gap)
        )
    return MetricTable(
        columns=("metric", "value", "target", "direction", "met", "gap"),
        rows=tuple(rows),
        index=("metric",),
    )
