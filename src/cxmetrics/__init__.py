"""cxmetrics: customer-support and contact-center KPIs, computed correctly and fast.

Records (:class:`Ticket`, :class:`SurveyResponse`, …) feed metric one-liners
(:func:`csat`, :func:`nps`, …) and mergeable metric classes (:class:`CSAT`,
:class:`NPS`, …) that return a :class:`MetricResult` with a confidence interval.
"""

from cxmetrics import stats
from cxmetrics._version import __version__
from cxmetrics.calendars import BusinessCalendar
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
from cxmetrics.metrics import (
    CES,
    CSAT,
    NPS,
    CSATMean,
    Metric,
    MetricParams,
    MetricResult,
    ReviewRating,
    ces,
    csat,
    nps,
    nps_breakdown,
    review_rating,
)
from cxmetrics.models import (
    Assignment,
    Call,
    Customer,
    Interaction,
    Message,
    PriorityChange,
    StatusChange,
    SurveyResponse,
    Ticket,
    validate_records,
)
from cxmetrics.registry import available_metrics, get_metric

__all__ = [
    "CES",
    "CSAT",
    "NPS",
    "Assignment",
    "BusinessCalendar",
    "CSATMean",
    "CXMetricsDeprecationWarning",
    "CXMetricsError",
    "CXMetricsWarning",
    "CalendarError",
    "Call",
    "Customer",
    "IncompatibleStateError",
    "Interaction",
    "InvalidParameterError",
    "Message",
    "Metric",
    "MetricParams",
    "MetricResult",
    "MissingDependencyError",
    "PriorityChange",
    "RecordValidationError",
    "ReviewRating",
    "SlaError",
    "StatusChange",
    "SurveyResponse",
    "Ticket",
    "UndefinedMetricError",
    "UndefinedMetricWarning",
    "UnknownMetricError",
    "__version__",
    "available_metrics",
    "ces",
    "csat",
    "get_metric",
    "nps",
    "nps_breakdown",
    "review_rating",
    "stats",
    "validate_records",
]
