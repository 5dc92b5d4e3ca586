"""Per-ticket measures over the columnar batch: the building block of ticket metrics."""

from cxmetrics.tickets.exchanges import ReplyExchanges
from cxmetrics.tickets.measure import ticket_metrics
from cxmetrics.tickets.status import StatusSegments
from cxmetrics.tickets.surveys import ticket_surveys
from cxmetrics.tickets.table import ColumnTable, TicketTable
from cxmetrics.tickets.time_in import time_in

__all__ = [
    "ColumnTable",
    "ReplyExchanges",
    "StatusSegments",
    "TicketTable",
    "ticket_metrics",
    "ticket_surveys",
    "time_in",
]
