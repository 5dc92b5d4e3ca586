"""Per-ticket measures over the columnar batch: the building block of ticket metrics."""

from cxmetrics.tickets.measures import ReplyExchanges, StatusSegments, ticket_metrics
from cxmetrics.tickets.table import ColumnTable, TicketTable

__all__ = ["ColumnTable", "ReplyExchanges", "StatusSegments", "TicketTable", "ticket_metrics"]
