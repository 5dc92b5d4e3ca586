"""What the report knows about each metric: family, human title, importance, needs.

The page groups metrics into families (surveys, tickets, SLA, contact center,
retention), leads with the most important ones that have data, and lists a metric
whose input is absent under "Not computed" with the reason instead of printing a
value computed from nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cxmetrics.tables.schema import RecordTable
from cxmetrics.tables.ticket_batch import TicketBatch

__all__ = ["FAMILIES", "IMPORTANCE", "MetricInfo", "info", "missing_input"]

FAMILIES = ("surveys", "tickets", "sla", "contact center", "quality and staff", "retention")
"""Section order of the page."""


@dataclass(frozen=True)
class MetricInfo:
    """How the report shows one metric: family (section) and title."""

    family: str
    title: str


_INFO = {
    "csat": MetricInfo("surveys", "CSAT"),
    "csat_mean": MetricInfo("surveys", "CSAT mean score"),
    "ces": MetricInfo("surveys", "Customer effort (CES)"),
    "nps": MetricInfo("surveys", "NPS"),
    "review_rating": MetricInfo("surveys", "Review rating"),
    "first_response_time": MetricInfo("tickets", "First response time"),
    "next_response_time": MetricInfo("tickets", "Next response time"),
    "average_response_time": MetricInfo("tickets", "Average response time"),
    "requester_wait_time": MetricInfo("tickets", "Requester wait time"),
    "resolution_time": MetricInfo("tickets", "Resolution time"),
    "resolution_rate": MetricInfo("tickets", "Resolution rate"),
    "fcr": MetricInfo("tickets", "First contact resolution"),
    "reopen_rate": MetricInfo("tickets", "Reopen rate"),
    "transfer_rate": MetricInfo("tickets", "Transfer rate"),
    "interactions_per_ticket": MetricInfo("tickets", "Interactions per ticket"),
    "backlog": MetricInfo("tickets", "Backlog"),
    "ticket_volume": MetricInfo("tickets", "Ticket volume"),
    "channel_mix": MetricInfo("tickets", "Channel mix"),
    "contact_rate": MetricInfo("tickets", "Contacts per customer"),
    "tag_counts": MetricInfo("tickets", "Tags"),
    "sla_compliance": MetricInfo("sla", "SLA compliance"),
    "service_level": MetricInfo("contact center", "Service level"),
    "abandonment_rate": MetricInfo("contact center", "Abandonment rate"),
    "aht": MetricInfo("contact center", "Average handle time"),
    "average_speed_of_answer": MetricInfo("contact center", "Average speed of answer"),
    "call_transfer_rate": MetricInfo("contact center", "Call transfer rate"),
    "repeat_contact_fcr": MetricInfo("contact center", "Repeat-contact FCR"),
    "peak_concurrency": MetricInfo("contact center", "Peak concurrent calls"),
    "callback_time": MetricInfo("contact center", "Callback time"),
    "callbacks_kept": MetricInfo("contact center", "Callbacks kept"),
    "qa_score": MetricInfo("quality and staff", "QA score"),
    "enps": MetricInfo("quality and staff", "Employee NPS (eNPS)"),
    "churn_rate": MetricInfo("retention", "Churn rate"),
    "retention_rate": MetricInfo("retention", "Retention rate"),
    "revenue_churn_rate": MetricInfo("retention", "Revenue churn"),
    "customer_lifetime": MetricInfo("retention", "Customer lifetime"),
}

IMPORTANCE = (
    "csat",
    "nps",
    "first_response_time",
    "resolution_time",
    "sla_compliance",
    "fcr",
    "service_level",
    "abandonment_rate",
    "aht",
    "backlog",
    "ticket_volume",
    "ces",
    "average_speed_of_answer",
    "resolution_rate",
    "churn_rate",
    "retention_rate",
    "review_rating",
)
"""The metrics a support lead looks at first, most important first (cards, charts)."""

_INPUT_NAMES = {"tickets": "tickets", "surveys": "survey answers", "calls": "calls",
                "customers": "customers", "staff_surveys": "staff survey answers",
                "qa_evaluations": "QA evaluations", "callbacks": "callback requests"}  # fmt: skip
_INPUT_HINTS = {"staff_surveys": " (report(staff_surveys=...), a staff_surveys file)",
                "qa_evaluations": " (report(qa_evaluations=...), a qa_evaluations file)",
                "callbacks": " (report(callbacks=...), a callbacks file)"}  # fmt: skip


def info(name: str) -> MetricInfo:
    """The family and title of metric ``name`` (other metrics: their family by input).

    Examples
    --------
    >>> info("first_response_time").title
    'First response time'
    >>> info("my_metric").family
    'tickets'
    """
    if name in _INFO:
        return _INFO[name]
    return MetricInfo("tickets", name.replace("_", " ").capitalize())


def _events(tickets: TicketBatch, table: str) -> int:
    return int(getattr(tickets, table).at.size)


def _agent_replies(tickets: TicketBatch) -> bool:
    """Whether any ticket has a first reply (a column, or a message in its history)."""
    return _events(tickets, "interactions") > 0 or bool(
        np.isfinite(np.asarray(tickets.first_reply_at, dtype=float)).any()
    )


def _solves(tickets: TicketBatch) -> bool:
    """Whether any ticket has a solve (a solve time, or a status history to find it in)."""
    solved = np.isfinite(np.asarray(tickets.solved_at, dtype=float)).any()
    return bool(solved) or _events(tickets, "status_changes") > 0


_TICKET_NEEDS: dict[str, tuple[str, Any]] = {
    "fcr": ("no replies (the tickets have no messages and no first reply time)", _agent_replies),
    "first_response_time": ("no replies (no messages and no first reply time)", _agent_replies),
    "next_response_time": ("no messages (needs each ticket's conversation)",
                           lambda t: _events(t, "interactions") > 0),
    "average_response_time": ("no messages (needs each ticket's conversation)",
                              lambda t: _events(t, "interactions") > 0),
    "requester_wait_time": ("no status history (needs the status changes)",
                            lambda t: _events(t, "status_changes") > 0),
    "two_touch_rate": ("no messages (needs each ticket's replies)",
                       lambda t: _events(t, "interactions") > 0),
    "interactions_per_ticket": ("no messages or calls per ticket",
                                lambda t: _events(t, "interactions") > 0),
    "reopen_rate": ("no status history (needs the status changes)",
                    lambda t: _events(t, "status_changes") > 0),
    "transfer_rate": ("no assignments (no transfer field)",
                      lambda t: _events(t, "assignments") > 0),
    "resolution_time": ("no solved tickets (no solve time or status history)", _solves),
    "resolution_rate": ("no solved tickets (no solve time or status history)", _solves),
    "fcr_rate": ("no solved tickets (no solve time or status history)", _solves),
    "tag_counts": ("no tags", lambda t: _events(t, "tags") > 0),
    # Without a channel field every ticket is "email" (the default): 100% is no mix.
    "channel_mix": ("a single channel (no channel field, or one channel only)",
                    lambda t: np.unique(t.channel.codes[t.channel.codes >= 0]).size > 1),
}  # fmt: skip

_CALL_NEEDS: dict[str, tuple[str, str]] = {
    "call_transfer_rate": ("no transfer recorded (no transfer field in the calls)", "transferred"),
    "aht": ("no handling time recorded (no talk field in the calls)", "talk"),
}

_PARAMETER_NEEDS = {
    "backlog": "no evaluation instant given (params {'backlog': {'as_of': ...}}, --as-of)",
    "customer_lifetime": "no evaluation instant given (params {'customer_lifetime': {'as_of': ...}})",
    "sla_compliance": "no SLA policy given (sla=, --sla)",
    "churn_rate": "no churn window given (params window=(start, end), --churn-start/--churn-end)",
    "retention_rate": "no window given (params window=(start, end), --churn-start/--churn-end)",
    "revenue_churn_rate": "no window given (params window=(start, end), --churn-start/--churn-end)",
}


def missing_input(name: str, input_kind: str, inputs: dict[str, Any]) -> str | None:
    """Why metric ``name`` cannot be computed from ``inputs``, or ``None`` when it can.

    Examples
    --------
    >>> missing_input("csat", "surveys", {})
    'no survey answers given'
    >>> missing_input("csat", "surveys", {"surveys": [1]}) is None
    True
    """
    data = inputs.get(input_kind)
    if data is None:
        return (
            f"no {_INPUT_NAMES.get(input_kind, input_kind)} given{_INPUT_HINTS.get(input_kind, '')}"
        )
    if isinstance(data, TicketBatch) and name in _TICKET_NEEDS:
        reason, has = _TICKET_NEEDS[name]
        return None if bool(has(data)) else str(reason)
    if isinstance(data, RecordTable) and name in _CALL_NEEDS:
        reason, column = _CALL_NEEDS[name]
        return None if _has_values(data, column) else reason
    return None


def parameter_needed(name: str) -> str | None:
    """The reason a metric that needs a parameter was left out, if it is a known one."""
    return _PARAMETER_NEEDS.get(name)


def _has_values(table: RecordTable, column: str) -> bool:
    """Whether ``table`` has ``column`` with a value set (a true flag, a non-zero time).

    The readers fill an absent flag with ``False`` and an absent time with 0, so an
    all-false or all-zero column is read as "not recorded".
    """
    values = table.get(column)
    if values is None:
        return False
    if values.dtype.kind in "bf":
        return bool(np.any(np.nan_to_num(values.astype(float)) != 0))
    return bool(values.size > 0)
