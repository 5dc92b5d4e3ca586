"""Metric classes and their one-liners; importing this package registers them all."""

from cxmetrics.metrics.base import Metric, MetricParams, MetricResult, ZeroDivision
from cxmetrics.metrics.ces import CES, ces
from cxmetrics.metrics.csat import CSAT, CSATMean, csat
from cxmetrics.metrics.nps import NPS, nps, nps_breakdown
from cxmetrics.metrics.review import ReviewRating, review_rating
from cxmetrics.metrics.state import CountsState, MeanState, RatioState, State, ValuesState

__all__ = [
    "CES",
    "CSAT",
    "NPS",
    "CSATMean",
    "CountsState",
    "MeanState",
    "Metric",
    "MetricParams",
    "MetricResult",
    "RatioState",
    "ReviewRating",
    "State",
    "ValuesState",
    "ZeroDivision",
    "ces",
    "csat",
    "nps",
    "nps_breakdown",
    "review_rating",
]
