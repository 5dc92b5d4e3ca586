"""The exception and warning trees of cxmetrics.

Every error raised on purpose by the library derives from :class:`CXMetricsError`
and from the built-in a caller would naturally catch: bad values are
:class:`ValueError`, so ``except ValueError`` keeps working for code that does not
know about cxmetrics. Every warning derives from :class:`CXMetricsWarning`, so one
filter silences or escalates them all.

Invalid *records* surface as :class:`pydantic.ValidationError` (itself a
``ValueError``) when a single model is built, and as :class:`RecordValidationError`
when many records are validated at once, so that every bad record is reported, not
only the first.
"""

from __future__ import annotations

__all__ = [
    "CXMetricsDeprecationWarning",
    "CXMetricsError",
    "CXMetricsWarning",
    "CalendarError",
    "IncompatibleStateError",
    "InvalidParameterError",
    "MissingDependencyError",
    "RecordValidationError",
    "SlaError",
    "UndefinedMetricError",
    "UndefinedMetricWarning",
    "UnknownMetricError",
]


class CXMetricsError(Exception):
    """Base class of every error raised by cxmetrics on purpose."""


class InvalidParameterError(CXMetricsError, ValueError, TypeError):
    """A parameter of a public function or metric class has an invalid value or type.

    Both a ``ValueError`` and a ``TypeError``, as in scikit-learn, because a bad
    parameter can be either and callers should not have to guess.
    """


class RecordValidationError(CXMetricsError, ValueError):
    """One or more input records are invalid.

    Attributes
    ----------
    errors : tuple of dict
        One entry per problem, with the keys ``position`` (index in the input),
        ``id`` (the record's id when it has one), ``field`` (dotted path),
        ``type`` (a stable error code) and ``message``.
    """

    def __init__(self, message: str, errors: tuple[dict[str, object], ...] = ()) -> None:
        super().__init__(message)
        self.errors = errors


class UnknownMetricError(CXMetricsError, ValueError):
    """A metric name is not in the registry.

    A ``ValueError`` rather than a ``KeyError``: the user cares that the name is not
    valid, not that a lookup happened, and ``KeyError`` mangles long messages.
    """


class IncompatibleStateError(CXMetricsError, ValueError):
    """Two metric states or metrics cannot be merged (other type or other parameters)."""


class UndefinedMetricError(CXMetricsError, ZeroDivisionError):
    """A metric is undefined (empty denominator) and ``zero_division="raise"`` was asked."""


class CalendarError(CXMetricsError, ValueError):
    """A business calendar is malformed, or was given an invalid instant."""


class SlaError(CXMetricsError, ValueError):
    """An SLA policy or target is malformed, or cannot be applied to a ticket."""


class MissingDependencyError(CXMetricsError, ImportError):
    """An optional dependency needed by the requested feature is not installed."""


class CXMetricsWarning(UserWarning):
    """Base class of every warning emitted by cxmetrics."""


class UndefinedMetricWarning(CXMetricsWarning):
    """A metric has no defined value (for example, no input) and ``nan`` was returned."""


class CXMetricsDeprecationWarning(CXMetricsWarning):
    """A feature is deprecated.

    Derives from ``UserWarning`` rather than ``DeprecationWarning`` so that it is
    visible by default: library deprecations hidden behind the default filters are
    never seen by the people who need to act on them.
    """
