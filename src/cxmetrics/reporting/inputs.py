"""The report's inputs: normalised once, and asked which fields and survey kinds they hold."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics.models.customer import Customer
from cxmetrics.models.interaction import Call
from cxmetrics.models.survey import SurveyResponse
from cxmetrics.reporting.grouping import TICKET_CODES
from cxmetrics.tables.inputs import as_record_table, as_ticket_batch, callback_input, qa_input
from cxmetrics.tables.schema import RecordTable, records_to_table
from cxmetrics.tables.ticket_batch import Categorical

__all__ = ["has_field", "has_kind", "normalise", "only_kind"]


def normalise(kind: str, data: Any) -> Any:
    """Inputs as the report reads them: a batch for tickets, column tables where possible."""
    if kind == "tickets":
        return as_ticket_batch(data)
    if kind == "qa_evaluations":
        return qa_input(data)
    if kind == "callbacks":
        return callback_input(data)
    table = as_record_table(kind, data)
    if table is not None:
        return table
    items = list(data)
    model = {"surveys": SurveyResponse, "staff_surveys": SurveyResponse, "calls": Call,
             "customers": Customer}[kind]  # fmt: skip
    if all(isinstance(item, model) for item in items):
        return records_to_table("surveys" if kind == "staff_surveys" else kind, items)
    return items


def has_field(kind: str, data: Any, name: str) -> bool:
    """Whether the rows of ``data`` (a ``kind`` input) have the field ``name`` to segment by."""
    if kind == "tickets":
        return isinstance(getattr(data, name, None), Categorical) or name in TICKET_CODES
    if isinstance(data, RecordTable):
        return name in data.columns
    return bool(data) and hasattr(data[0], name)


def has_kind(data: Any, survey_kind: str) -> bool:
    """Whether any survey answer in ``data`` is of ``survey_kind``."""
    if isinstance(data, RecordTable):
        return bool(np.any(data["kind"] == survey_kind))
    return any(getattr(s, "kind", survey_kind) == survey_kind for s in data)


def only_kind(data: Any, survey_kind: str) -> Any:
    """The survey answers in ``data`` of ``survey_kind``, in the same form."""
    if isinstance(data, RecordTable):
        return data.select(np.asarray(data["kind"] == survey_kind, dtype=bool))
    return [s for s in data if getattr(s, "kind", survey_kind) == survey_kind]
