"""The metric protocol: validated parameters, one mergeable state, a pure compute.

Every metric is a pair of pure functions, ``_update(items, params) -> State`` (fold
one batch) and ``_compute(state, params) -> MetricResult``, wrapped in a
:class:`Metric` class that holds the parameters and the current state. The public
one-liner (``csat(...)``, ``fcr_rate(...)``) composes the two functions; the class
adds incremental updates and merging for partitioned computation.
"""

from __future__ import annotations

import inspect
import math
import re
import threading
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, ClassVar, Generic, Literal, TypeVar, Union

from pydantic import BaseModel, ConfigDict, ValidationError
from typing_extensions import Self

from cxmetrics.core.dispatch import distributed_state
from cxmetrics.core.state import State
from cxmetrics.exceptions import (
    IncompatibleStateError,
    InvalidParameterError,
    UndefinedMetricError,
    UndefinedMetricWarning,
)

__all__ = [
    "Metric",
    "MetricParams",
    "MetricResult",
    "ZeroDivision",
    "safe_ratio",
    "undefined",
    "validate_params",
    "within_scale",
]

ZeroDivision = Union[Literal["warn", "raise"], float]  # noqa: UP007
"""What an undefined metric returns: ``"warn"`` (nan and a warning), ``"raise"``, or a value."""

S = TypeVar("S", bound=State)
P = TypeVar("P", bound="MetricParams")


class MetricParams(BaseModel):
    """Base class of metric parameters: frozen, validated, comparable, JSON-able.

    Attributes
    ----------
    zero_division : {"warn", "raise"} or float, default="warn"
        Value of an undefined metric (e.g. no input). ``"warn"`` returns ``nan`` and
        emits :class:`~cxmetrics.UndefinedMetricWarning`; ``"raise"`` raises
        :class:`~cxmetrics.UndefinedMetricError` (a ``ZeroDivisionError``); a
        number is returned as is.
    confidence : float, default=0.95
        Confidence level of the interval in the result, in (0, 1).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    zero_division: ZeroDivision = "warn"
    confidence: float = 0.95

    def model_post_init(self, context: Any, /) -> None:
        """Check the fields shared by every metric."""
        if not 0.0 < self.confidence < 1.0:
            raise InvalidParameterError(f"confidence must be in (0, 1), got {self.confidence}")


def validate_params(params_type: type[P], owner: str, params: Mapping[str, Any]) -> P:
    """Build ``params_type`` from ``params``, re-raising errors in one message shape.

    Parameters
    ----------
    params_type : type of MetricParams
    owner : str
        The public function or class the parameters belong to, for the message.
    params : mapping
        Keyword arguments given by the user.

    Returns
    -------
    MetricParams

    Raises
    ------
    InvalidParameterError
        ``"The 'x' parameter of owner must be …. Got … instead."``

    Examples
    --------
    >>> validate_params(MetricParams, "csat", {"zero_division": "sometimes"})
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: The 'zero_division' parameter of csat must be 'warn', 'raise' or a float. Got 'sometimes' instead.
    >>> from pydantic import Field
    >>> class WindowParams(MetricParams):
    ...     days: int = Field()
    >>> validate_params(WindowParams, "window", {})
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.InvalidParameterError: window needs the 'days' parameter.
    """
    try:
        return params_type(**params)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        name = str(error["loc"][0]) if error["loc"] else None
        if name is None or name not in params:
            name = _field_named_in(error["msg"], params) or (name or "?")
        if name == "zero_division":
            expected = "'warn', 'raise' or a float"
        elif error["type"] == "missing":
            raise InvalidParameterError(f"{owner} needs the {name!r} parameter.") from None
        elif error["type"] == "extra_forbidden":
            allowed = ", ".join(sorted(params_type.model_fields))
            raise InvalidParameterError(
                f"{owner} got an unexpected parameter {name!r}; valid parameters are {allowed}."
            ) from None
        else:
            expected = _own_words(_lower_first(error["msg"].removeprefix("Value error, ")), name)
        got = params.get(name, error.get("input"))
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {_strip_should_be(expected)}. "
            f"Got {got!r} instead."
        ) from None


def _field_named_in(message: str, params: Mapping[str, Any]) -> str | None:
    return next(
        (name for name in params if message.removeprefix("Value error, ").startswith(name)), None
    )


def _own_words(text: str, name: str) -> str:
    """A validator's message without what the frame adds (the name, the value given).

    ``"confidence must be in (0, 1), got 1.5"`` becomes ``"in (0, 1)"``, so the
    message reads "The 'confidence' parameter of CSAT must be in (0, 1). Got 1.5
    instead." rather than repeating itself.
    """
    text = re.sub(rf"^{re.escape(name)} (?:must|should) be ", "", text)
    return re.sub(r"[,;] got [^,;]*$", "", text)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _strip_should_be(text: str) -> str:
    for prefix in ("input should be ", "should be "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


@dataclass(frozen=True)
class MetricResult:
    """The value of a metric, with its sample size, unit and confidence interval.

    Attributes
    ----------
    value : float, timedelta, int or dict
        The metric. ``nan`` when undefined (see ``zero_division``).
    n : int
        Number of observations the value rests on (responses, tickets, calls…).
    unit : str
        ``"ratio"`` (a share in [0, 1]), ``"score"``, ``"seconds"``, ``"count"``…
    interval : tuple or None
        ``(low, high)`` confidence interval in the same type as ``value``, when the
        statistic has one.
    confidence : float
        Confidence level of ``interval``.
    details : dict
        Extra figures (NPS breakdown, CES direction, AHT components…).

    Examples
    --------
    >>> r = MetricResult(0.8, n=10, unit="ratio", interval=(0.49, 0.94))
    >>> r.value, r.n, r.interval
    (0.8, 10, (0.49, 0.94))
    """

    value: Any
    n: int
    unit: str
    interval: tuple[Any, Any] | None = None
    confidence: float = 0.95
    details: Mapping[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        """Readable: durations as ``2h 40m 32s``, rates as they are, the interval and n.

        Examples
        --------
        >>> MetricResult(timedelta(seconds=9632.3), n=40, unit="seconds")
        MetricResult(2h 40m 32s, n=40, unit='seconds')
        >>> MetricResult(0.8, n=10, unit="ratio", interval=(0.49, 0.94))
        MetricResult(0.8, n=10, unit='ratio', interval=(0.49, 0.94), confidence=0.95)
        """
        text = f"MetricResult({_readable(self.value)}, n={self.n}, unit={self.unit!r}"
        if self.interval is not None:
            low, high = self.interval
            text += (
                f", interval=({_readable(low)}, {_readable(high)}), confidence={self.confidence}"
            )
        return text + ")"

    def _repr_html_(self) -> str:
        """The notebook display: value, interval, n and the details as a small table."""
        from html import escape

        rows = [("value", _readable(self.value)), ("n", str(self.n)), ("unit", self.unit)]
        if self.interval is not None:
            low, high = self.interval
            level = f"{100 * self.confidence:g}% interval"
            rows.append((level, f"{_readable(low)} – {_readable(high)}"))
        rows += [(str(k), _readable(v)) for k, v in self.details.items()]
        body = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table><caption>MetricResult</caption>{body}</table>"

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-able data; durations become seconds.

        Examples
        --------
        >>> MetricResult(timedelta(minutes=2), n=3, unit="seconds").to_dict()["value"]
        120.0
        """
        return {
            "value": _jsonable(self.value),
            "n": self.n,
            "unit": self.unit,
            "interval": None if self.interval is None else [_jsonable(v) for v in self.interval],
            "confidence": self.confidence,
            "details": {k: _jsonable(v) for k, v in self.details.items()},
        }


def _readable(value: Any) -> str:
    """A value as a person reads it: ``2h 40m 32s`` for a duration, else its repr."""
    if isinstance(value, timedelta):
        seconds = round(value.total_seconds())
        sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
                 f"{minutes}m" if minutes else "", f"{secs}s" if secs or not seconds else ""]  # fmt: skip
        return sign + " ".join(p for p in parts if p)
    if isinstance(value, float):
        return repr(round(value, 6))
    return repr(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def within_scale(result: MetricResult, lower: float | None, upper: float | None) -> MetricResult:
    """``result`` with its interval clipped to ``[lower, upper]`` (``None``: unbounded).

    A t interval around a mean of few answers on a bounded scale, or around a
    mean duration, can reach past the scale (CES ``-34 – 42`` on 1-7, a duration
    of ``-4h``); no value outside the scale is possible, so the interval stops at
    its edge. Durations (``timedelta`` bounds) stop at zero.

    Examples
    --------
    >>> within_scale(MetricResult(6.5, 2, "score", (3.1, 9.9)), 1.0, 7.0).interval
    (3.1, 7.0)
    >>> within_scale(MetricResult(timedelta(hours=1), 3, "seconds",
    ...     (timedelta(hours=-2), timedelta(hours=4))), None, None).interval[0]
    datetime.timedelta(0)
    """
    if result.interval is None:
        return result
    low, high = result.interval
    if isinstance(low, timedelta) and isinstance(high, timedelta):
        floor = timedelta(0)
        if low >= floor:
            return result
        return replace(result, interval=(floor, max(high, floor)))
    if not isinstance(low, (int, float)) or not isinstance(high, (int, float)):
        return result
    clipped_low, clipped_high = float(low), float(high)
    if lower is not None:
        clipped_low, clipped_high = max(clipped_low, lower), max(clipped_high, lower)
    if upper is not None:
        clipped_low, clipped_high = min(clipped_low, upper), min(clipped_high, upper)
    if (clipped_low, clipped_high) == (low, high):
        return result
    return replace(result, interval=(clipped_low, clipped_high))


def undefined(zero_division: ZeroDivision, metric: str, reason: str = "no input") -> float:
    """Return the value of an undefined metric, following ``zero_division``.

    Parameters
    ----------
    zero_division : {"warn", "raise"} or float
    metric : str
        Metric name for the message.
    reason : str
        Why it is undefined, for the message.

    Returns
    -------
    float

    Examples
    --------
    >>> undefined(0.0, "fcr")
    0.0
    >>> undefined("raise", "fcr")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.UndefinedMetricError: fcr is undefined: no input
    """
    if zero_division == "raise":
        raise UndefinedMetricError(f"{metric} is undefined: {reason}")
    if zero_division == "warn":
        warnings.warn(
            f"{metric} is undefined: {reason}; returning nan (set zero_division to choose)",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return math.nan
    return float(zero_division)


def safe_ratio(
    numerator: float,
    denominator: float,
    zero_division: ZeroDivision,
    metric: str,
    reason: str = "no input",
) -> float:
    """Return ``numerator / denominator``, or :func:`undefined` when the denominator is 0.

    Examples
    --------
    >>> safe_ratio(3, 4, "warn", "fcr")
    0.75
    >>> safe_ratio(0, 0, 1.0, "fcr")
    1.0
    """
    if denominator == 0:
        return undefined(zero_division, metric, reason)
    return numerator / denominator


class Metric(ABC, Generic[S, P]):
    """Base class of all metrics: validated parameters and one mergeable state.

    Subclasses set the class metadata and implement the two pure functions
    :meth:`_update` and :meth:`_compute`; they carry no other logic.

    Examples
    --------
    The life of a metric, shown on :class:`~cxmetrics.CSAT`:

    >>> from cxmetrics import CSAT
    >>> morning, evening = CSAT(), CSAT()
    >>> morning.update([5, 4, 2])
    >>> evening.update([5, 1])
    >>> morning.merge(evening)
    >>> result = morning.compute()
    >>> result.value, result.n
    (0.6, 5)
    >>> CSAT.from_state(morning.state).compute().value
    0.6
    """

    name: ClassVar[str]
    """Registry key, e.g. ``"csat"``."""
    unit: ClassVar[str]
    """Unit of the value: ``"ratio"``, ``"score"``, ``"seconds"``, ``"count"``…"""
    input_kind: ClassVar[str]
    """What ``update`` takes: ``"surveys"``, ``"tickets"``, ``"calls"`` or ``"customers"``."""
    higher_is_better: ClassVar[bool | None]
    survey_kind: ClassVar[str | None] = None
    """For survey metrics, the ``SurveyResponse.kind`` they read (``"csat"``…)."""
    lower_bound: ClassVar[float | None] = None
    upper_bound: ClassVar[float | None] = None
    state_type: ClassVar[type[State]]
    Params: ClassVar[type[MetricParams]] = MetricParams

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # help(), editors and inspect show the parameters of ``Params`` (keyword-only,
        # typed, with defaults) instead of ``**params``.
        cls.__signature__ = inspect.signature(cls.Params)  # type: ignore[attr-defined]

    def __init__(self, **params: Any) -> None:
        self.params: P = validate_params(self.Params, type(self).__name__, params)  # type: ignore[assignment]
        self._state: S = self._empty_state()
        # Guards the swap of ``_state``: a batch is folded outside the lock (pure), and
        # only the merge into the current state is serialised, so concurrent
        # ``update`` calls from several threads never lose one another's batches.
        self._lock = threading.Lock()

    def _empty_state(self) -> S:
        """Return the identity state for these parameters."""
        return self.state_type()  # type: ignore[return-value]

    @staticmethod
    @abstractmethod
    def _update(items: Any, params: Any) -> Any:
        """Fold one batch into a fresh state. Pure; consumes ``items`` once."""

    @staticmethod
    @abstractmethod
    def _compute(state: Any, params: Any) -> MetricResult:
        """Turn a (merged) state into the result. Pure."""

    @property
    def state(self) -> S:
        """The current state: immutable, picklable, safe to send to another process."""
        return self._state

    def update(self, items: Any) -> None:
        """Fold a batch of records into the state.

        Parameters
        ----------
        items : iterable
            Records of the kind named by ``input_kind``. Consumed in one pass. A Dask
            or Spark DataFrame (or :class:`cxmetrics.engines.DistributedTables`) is
            folded partition by partition on its cluster (see :mod:`cxmetrics.engines`).

        Notes
        -----
        Safe to call from several threads at once: each batch is folded on its own,
        then merged into the state under a lock, so no update is lost.
        """
        folded: Any = distributed_state(type(self), self.params, items)
        if folded is None:
            folded = self._update(items, self.params)
        with self._lock:
            self._state = self._state.merge(folded)

    def merge(self, other: Self | S) -> None:
        """Merge another metric (same class and parameters) or a state into this one.

        Raises
        ------
        IncompatibleStateError
            When ``other`` is another metric class, has other parameters, or is a
            state of another type.
        """
        if isinstance(other, Metric):
            if type(other) is not type(self) or other.params != self.params:
                raise IncompatibleStateError(f"cannot merge {other!r} into {self!r}")
            other = other.state
        with self._lock:
            self._state = self._state.merge(other)

    def compute(self) -> MetricResult:
        """Return the metric over everything seen since the last reset.

        The interval never leaves the metric's range: a mean on a 1-7 scale keeps
        its interval within 1-7, a duration's stays non-negative (see
        :func:`within_scale`).
        """
        result = self._compute(self._state, self.params)
        return within_scale(result, *self.scale_bounds())

    def scale_bounds(self) -> tuple[float | None, float | None]:
        """The range of the metric's value: the class bounds, the ``scale`` for scores.

        Examples
        --------
        >>> from cxmetrics.metrics.ces import CES
        >>> CES(scale=5).scale_bounds()
        (1.0, 5.0)
        """
        cls = type(self)
        upper = cls.upper_bound
        scale = getattr(self.params, "scale", None)
        if cls.unit == "score" and isinstance(scale, (int, float)) and cls.lower_bound == 1.0:
            upper = float(scale)
        return cls.lower_bound, upper

    def reset(self) -> None:
        """Forget everything seen; the state becomes empty."""
        with self._lock:
            self._state = self._empty_state()

    @classmethod
    def from_state(cls, state: S, **params: Any) -> Self:
        """Build a metric holding ``state`` (e.g. merged on a Spark driver)."""
        metric = cls(**params)
        metric.merge(state)
        return metric

    def __repr__(self) -> str:
        given = self.params.model_fields_set
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params if k in given)
        return f"{type(self).__name__}({shown})"

    def __getstate__(self) -> dict[str, Any]:
        return {"params": self.params.model_dump(), "state": self._state}

    def __setstate__(self, data: dict[str, Any]) -> None:
        self.params = self.Params(**data["params"])  # type: ignore[assignment]
        self._state = data["state"]
        self._lock = threading.Lock()


# The base class takes the shared parameters; subclasses show their own (see above).
Metric.__signature__ = inspect.signature(MetricParams)  # type: ignore[attr-defined]
