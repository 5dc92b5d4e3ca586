"""Typed input records: tickets with their histories, calls, survey answers, customers."""

from cxmetrics.models.bulk import validate_records
from cxmetrics.models.customer import Customer
from cxmetrics.models.interaction import Author, Call, Direction, Interaction, Message
from cxmetrics.models.qa import QAEvaluation
from cxmetrics.models.survey import SurveyKind, SurveyResponse, SurveySent
from cxmetrics.models.ticket import (
    Assignment,
    CreatedBy,
    Priority,
    PriorityChange,
    StatusChange,
    Ticket,
    TicketStatus,
)

__all__ = [
    "Assignment",
    "Author",
    "Call",
    "CreatedBy",
    "Customer",
    "Direction",
    "Interaction",
    "Message",
    "Priority",
    "PriorityChange",
    "QAEvaluation",
    "StatusChange",
    "SurveyKind",
    "SurveyResponse",
    "SurveySent",
    "Ticket",
    "TicketStatus",
    "validate_records",
]
