"""Metric classes and their one-liners; importing this package registers them all."""

from cxmetrics.core.base import Metric, MetricParams, MetricResult, ZeroDivision
from cxmetrics.core.state import CountsState, MeanState, RatioState, State, ValuesState
from cxmetrics.metrics.abandonment import AbandonmentRate, abandonment_rate
from cxmetrics.metrics.aht import AHT, aht, aht_by_interval
from cxmetrics.metrics.backlog import Backlog, backlog
from cxmetrics.metrics.call_transfer import CallTransferRate, call_transfer_rate
from cxmetrics.metrics.callbacks import CallbacksKept, CallbackTime, callback_time, callbacks_kept
from cxmetrics.metrics.ces import CES, ces
from cxmetrics.metrics.channel_mix import ChannelMix, channel_mix
from cxmetrics.metrics.churn import Churn, churn_rate
from cxmetrics.metrics.cohorts import CohortTable, cohort_retention
from cxmetrics.metrics.concurrency import PeakConcurrency, concurrency_by_interval, peak_concurrency
from cxmetrics.metrics.contact_rate import (
    ContactRate,
    contact_rate,
    customer_contact_share,
    tickets_per_contacting_customer,
)
from cxmetrics.metrics.contact_volume import contact_volume, volume_by_hour_and_weekday
from cxmetrics.metrics.csat import CSAT, CSATMean, csat
from cxmetrics.metrics.deflection import deflection_rate, self_service_ratio
from cxmetrics.metrics.enps import ENPS, enps
from cxmetrics.metrics.fcr import FCR, fcr_rate
from cxmetrics.metrics.interactions import InteractionsPerTicket, interactions_per_ticket
from cxmetrics.metrics.lifetime import CustomerLifetime, average_customer_lifetime
from cxmetrics.metrics.nps import NPS, nps, nps_breakdown
from cxmetrics.metrics.qa import QAScore, qa_score, qa_scores
from cxmetrics.metrics.reopen import ReopenRate, reopen_rate
from cxmetrics.metrics.repeat_contact import RepeatContactFCR, repeat_contact_fcr
from cxmetrics.metrics.reply_within import AnsweredWithin, answered_within
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
from cxmetrics.metrics.solved import solved_per_period, status_breakdown
from cxmetrics.metrics.speed_of_answer import (
    AverageSpeedOfAnswer,
    average_speed_of_answer,
    longest_wait,
)
from cxmetrics.metrics.tags import TagCounts, tag_counts
from cxmetrics.metrics.touches import TwoTouchRate, two_touch_rate
from cxmetrics.metrics.transfer import TransferRate, transfer_rate
from cxmetrics.metrics.unassigned import UnassignedTime, unassigned_time
from cxmetrics.metrics.volume import TicketVolume, ticket_volume

__all__ = [
    "AHT",
    "CES",
    "CSAT",
    "ENPS",
    "FCR",
    "NPS",
    "AbandonmentRate",
    "AnsweredWithin",
    "AverageResponseTime",
    "AverageSpeedOfAnswer",
    "Backlog",
    "CSATMean",
    "CallTransferRate",
    "CallbackTime",
    "CallbacksKept",
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
    "QAScore",
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
    "TwoTouchRate",
    "UnassignedTime",
    "ValuesState",
    "ZeroDivision",
    "abandonment_rate",
    "aht",
    "aht_by_interval",
    "answered_within",
    "average_customer_lifetime",
    "average_response_time",
    "average_speed_of_answer",
    "backlog",
    "call_transfer_rate",
    "callback_time",
    "callbacks_kept",
    "ces",
    "channel_mix",
    "churn_rate",
    "cohort_retention",
    "concurrency_by_interval",
    "contact_rate",
    "contact_volume",
    "csat",
    "customer_contact_share",
    "deflection_rate",
    "enps",
    "fcr_rate",
    "first_response_time",
    "interactions_per_ticket",
    "longest_wait",
    "next_response_time",
    "nps",
    "nps_breakdown",
    "peak_concurrency",
    "qa_score",
    "qa_scores",
    "reopen_rate",
    "repeat_contact_fcr",
    "requester_wait_time",
    "resolution_rate",
    "resolution_time",
    "retention_rate",
    "revenue_churn_rate",
    "review_rating",
    "self_service_ratio",
    "service_level",
    "solved_per_period",
    "status_breakdown",
    "tag_counts",
    "ticket_volume",
    "tickets_per_contacting_customer",
    "transfer_rate",
    "two_touch_rate",
    "unassigned_time",
    "volume_by_hour_and_weekday",
]
