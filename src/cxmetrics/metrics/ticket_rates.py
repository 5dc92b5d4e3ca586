"""Compatibility re-exports: the ticket rates now live one family per module."""

from cxmetrics.metrics.fcr import FCR, fcr_rate
from cxmetrics.metrics.interactions import InteractionsPerTicket, interactions_per_ticket
from cxmetrics.metrics.reopen import ReopenRate, reopen_rate
from cxmetrics.metrics.transfer import TransferRate, transfer_rate

__all__ = [
    "FCR",
    "InteractionsPerTicket",
    "ReopenRate",
    "TransferRate",
    "fcr_rate",
    "interactions_per_ticket",
    "reopen_rate",
    "transfer_rate",
]
