"""Compatibility re-exports: the count metrics now live one family per module."""

from cxmetrics.metrics.backlog import AGE_BUCKETS, Backlog, backlog, backlog_series
from cxmetrics.metrics.channel_mix import ChannelMix, channel_mix
from cxmetrics.metrics.contact_rate import ContactRate, contact_rate
from cxmetrics.metrics.tags import TagCounts, tag_counts
from cxmetrics.metrics.volume import TicketVolume, ticket_volume

__all__ = [
    "AGE_BUCKETS",
    "Backlog",
    "ChannelMix",
    "ContactRate",
    "TagCounts",
    "TicketVolume",
    "backlog",
    "backlog_series",
    "channel_mix",
    "contact_rate",
    "tag_counts",
    "ticket_volume",
]
