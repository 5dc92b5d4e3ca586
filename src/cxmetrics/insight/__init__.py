"""Why the scores move: alerts, targets, survey comments and response rates, drivers.

Computations a report section (or a notebook) reads: each returns a small typed
result with ``to_pandas()``.
"""

from cxmetrics.insight.alerts import (
    ControlChart,
    alerts_table,
    cusum_chart,
    ewma_chart,
    p_chart,
    series_chart,
    tag_spikes,
)
from cxmetrics.insight.by_tag import metric_by_tag
from cxmetrics.insight.nonresponse import ReweightedScore, reweighted_score
from cxmetrics.insight.responses import low_score_comments, reason_mix, response_rates
from cxmetrics.insight.score_drivers import DriversResult, drivers, outcome_values
from cxmetrics.insight.targets import (
    Target,
    evaluate_targets,
    parse_duration,
    read_targets,
    targets_from_dict,
)

__all__ = [
    "ControlChart",
    "DriversResult",
    "ReweightedScore",
    "Target",
    "alerts_table",
    "cusum_chart",
    "drivers",
    "evaluate_targets",
    "ewma_chart",
    "low_score_comments",
    "metric_by_tag",
    "outcome_values",
    "p_chart",
    "parse_duration",
    "read_targets",
    "reason_mix",
    "response_rates",
    "reweighted_score",
    "series_chart",
    "tag_spikes",
    "targets_from_dict",
]
