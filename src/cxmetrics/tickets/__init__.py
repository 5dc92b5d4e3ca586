"""Per-ticket measures over the columnar batch: the building block of ticket metrics."""

from cxmetrics.tickets.measures import ReplyExchanges, TicketTable, ticket_metrics

__all__ = ["ReplyExchanges", "TicketTable", "ticket_metrics"]
