"""Metric classes and their one-liners; importing this package registers them all."""

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision
from cxmetrics.core.state import CountsState, MeanState, RatioState, State, ValuesState
from cxmetrics.metrics.abandonment import AbandonmentRate, abandonment_rate
from cxmetrics.metrics.aht import AHT, aht, aht_by_interval
from cxmetrics.metrics.call_transfer import CallTransferRate, call_transfer_rate
from cxmetrics.metrics.ces import CES, ces
from cxmetrics.metrics.churn import Churn, churn_rate
from cxmetrics.metrics.cohorts import CohortTable, cohort_retention
from cxmetrics.metrics.concurrency import PeakConcurrency, concurrency_by_interval, peak_concurrency
from cxmetrics.metrics.contact_volume import contact_volume, volume_by_hour_and_weekday
from cxmetrics.metrics.csat import CSAT, CSATMean, csat
from cxmetrics.metrics.lifetime import CustomerLifetime, average_customer_lifetime
from cxmetrics.metrics.nps import NPS, nps, nps_breakdown
from cxmetrics.metrics.repeat_contact import RepeatContactFCR, repeat_contact_fcr
from cxmetrics.metrics.resolution import (
    RequesterWaitTime,
    ResolutionRate,
    ResolutionTime,
    requester_wait_time,
    resolution_rate,
    resolution_time,
)
from cxmetrics.metrics.response_time import (
    AverageResponseTime,
    FirstResponseTime,
    NextResponseTime,
    average_response_time,
    first_response_time,
    next_response_time,
)
from cxmetrics.metrics.retention import Retention, retention_rate
from cxmetrics.metrics.revenue_churn import RevenueChurn, revenue_churn_rate
from cxmetrics.metrics.review import ReviewRating, review_rating
from cxmetrics.metrics.service_level import ServiceLevel, service_level
from cxmetrics.metrics.speed_of_answer import AverageSpeedOfAnswer, average_speed_of_answer
from cxmetrics.metrics.ticket_counts import (
    Backlog,
    ChannelMix,
    ContactRate,
    TagCounts,
    TicketVolume,
    backlog,
    channel_mix,
    contact_rate,
    tag_counts,
    ticket_volume,
)
from cxmetrics.metrics.ticket_rates import (
    FCR,
    InteractionsPerTicket,
    ReopenRate,
    TransferRate,
    fcr_rate,
    interactions_per_ticket,
    reopen_rate,
    transfer_rate,
)

__all__ = [
    "AHT",
    "CES",
    "CSAT",
    "FCR",
    "NPS",
    "AbandonmentRate",
    "AverageResponseTime",
    "AverageSpeedOfAnswer",
    "Backlog",
    "CSATMean",
    "CallTransferRate",
    "ChannelMix",
    "Churn",
    "CohortTable",
    "ContactRate",
    "CountsState",
    "CustomerLifetime",
    "FirstResponseTime",
    "InteractionsPerTicket",
    "MeanState",
    "Metric",
    "MetricParams",
    "MetricResult",
    "NextResponseTime",
    "PeakConcurrency",
    "RatioState",
    "ReopenRate",
    "RepeatContactFCR",
    "RequesterWaitTime",
    "ResolutionRate",
    "ResolutionTime",
    "Retention",
    "RevenueChurn",
    "ReviewRating",
    "ServiceLevel",
    "State",
    "TagCounts",
    "TicketVolume",
    "TransferRate",
    "ValuesState",
    "ZeroDivision",
    "abandonment_rate",
    "aht",
    "aht_by_interval",
    "average_customer_lifetime",
    "average_response_time",
    "average_speed_of_answer",
    "backlog",
    "call_transfer_rate",
    "ces",
    "channel_mix",
    "churn_rate",
    "cohort_retention",
    "concurrency_by_interval",
    "contact_rate",
    "contact_volume",
    "csat",
    "fcr_rate",
    "first_response_time",
    "interactions_per_ticket",
    "next_response_time",
    "nps",
    "nps_breakdown",
    "peak_concurrency",
    "reopen_rate",
    "repeat_contact_fcr",
    "requester_wait_time",
    "resolution_rate",
    "resolution_time",
    "retention_rate",
    "revenue_churn_rate",
    "review_rating",
    "service_level",
    "tag_counts",
    "ticket_volume",
    "transfer_rate",
    "volume_by_hour_and_weekday",
]
