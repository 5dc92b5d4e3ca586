"""Deprecated alias of :mod:`cxmetrics.reporting.charts` (goes in the next release).

Reading a name from this module warns with
:class:`~cxmetrics.exceptions.CXMetricsDeprecationWarning` and returns the chart
function of :mod:`cxmetrics.reporting.charts`.
"""

import warnings
from typing import Any

from cxmetrics.exceptions import CXMetricsDeprecationWarning
from cxmetrics.reporting import charts

__all__ = list(charts.__all__)


def __getattr__(name: str) -> Any:
    if name not in charts.__all__:
        raise AttributeError(f"module 'cxmetrics.plot' has no attribute {name!r}")
    warnings.warn(
        f"cxmetrics.plot.{name} moved to cxmetrics.reporting.charts.{name}; "
        "the old module goes in the next release",
        CXMetricsDeprecationWarning,
        stacklevel=2,
    )
    return getattr(charts, name)
