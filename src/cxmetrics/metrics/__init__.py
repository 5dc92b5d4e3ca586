"""Metric classes and their one-liners; importing this package registers them all."""

from cxmetrics.metrics.base import Metric, MetricParams, MetricResult, ZeroDivision
from cxmetrics.metrics.ces import CES, ces
from cxmetrics.metrics.csat import CSAT, CSATMean, csat
from cxmetrics.metrics.nps import NPS, nps, nps_breakdown
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
from cxmetrics.metrics.review import ReviewRating, review_rating
from cxmetrics.metrics.state import CountsState, MeanState, RatioState, State, ValuesState
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
    "CES",
    "CSAT",
    "FCR",
    "NPS",
    "AverageResponseTime",
    "Backlog",
    "CSATMean",
    "ChannelMix",
    "ContactRate",
    "CountsState",
    "FirstResponseTime",
    "InteractionsPerTicket",
    "MeanState",
    "Metric",
    "MetricParams",
    "MetricResult",
    "NextResponseTime",
    "RatioState",
    "ReopenRate",
    "RequesterWaitTime",
    "ResolutionRate",
    "ResolutionTime",
    "ReviewRating",
    "State",
    "TagCounts",
    "TicketVolume",
    "TransferRate",
    "ValuesState",
    "ZeroDivision",
    "average_response_time",
    "backlog",
    "ces",
    "channel_mix",
    "contact_rate",
    "csat",
    "fcr_rate",
    "first_response_time",
    "interactions_per_ticket",
    "next_response_time",
    "nps",
    "nps_breakdown",
    "reopen_rate",
    "requester_wait_time",
    "resolution_rate",
    "resolution_time",
    "review_rating",
    "tag_counts",
    "ticket_volume",
    "transfer_rate",
]
