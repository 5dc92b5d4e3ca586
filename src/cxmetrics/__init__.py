"""cxmetrics: customer-support and contact-center KPIs, computed correctly and fast."""

from cxmetrics._version import __version__
from cxmetrics.exceptions import (
    CalendarError,
    CXMetricsDeprecationWarning,
    CXMetricsError,
    CXMetricsWarning,
    IncompatibleStateError,
    InvalidParameterError,
    MissingDependencyError,
    RecordValidationError,
    SlaError,
    UndefinedMetricError,
    UndefinedMetricWarning,
    UnknownMetricError,
)

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
    "__version__",
]
