"""Synthetic support data for examples, tests and benchmarks, and the bundled sample."""

from cxmetrics.datasets.records import batch_to_tickets
from cxmetrics.datasets.sample import load_sample
from cxmetrics.datasets.synthetic import generate
from cxmetrics.datasets.tables import (
    CallTable,
    CustomerTable,
    SurveySendTable,
    SurveyTable,
    SyntheticData,
)

__all__ = [
    "CallTable",
    "CustomerTable",
    "SurveySendTable",
    "SurveyTable",
    "SyntheticData",
    "batch_to_tickets",
    "generate",
    "load_sample",
]
