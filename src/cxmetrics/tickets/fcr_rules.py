"""First-contact resolution rules: which resolved tickets count as resolved on first contact.

One rule per :attr:`~cxmetrics.definitions.Definitions.fcr_rule`: a count of
replies (Zendesk), no wait or reopen (Zendesk messaging), no customer follow-up
(Freshdesk), closed once by one teammate (Intercom), or no repeat contact from the
same customer within a window.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.definitions import Definitions
from cxmetrics.tables.ticket_batch import CREATED_BY, EventTable, TicketBatch
from cxmetrics.tickets.lookups import distinct_per_ticket
from cxmetrics.tickets.status import STATUS_CODES, StatusSegments

__all__ = ["fcr_met"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def fcr_met(
    rules: Definitions,
    batch: TicketBatch,
    replies: IntArray,
    asks: IntArray,
    solves: IntArray,
    reopens: IntArray,
    segments: StatusSegments,
    ix: EventTable,
    reply_rows: BoolArray,
    first_solve: npt.NDArray[np.float64],
) -> BoolArray:
    """Whether each ticket meets the FCR rule of ``rules`` (the caller requires it to be resolved).

    Parameters
    ----------
    rules : Definitions
        The definitions; ``rules.fcr_rule`` picks the rule.
    batch : TicketBatch
        The tickets.
    replies, asks, solves, reopens : int64 arrays
        Per ticket: replies, customer messages, solves and reopens.
    segments : StatusSegments
        The status segments of ``batch``.
    ix : EventTable
        The interactions of ``batch``.
    reply_rows : bool array
        Which interactions are replies.
    first_solve : float64 array
        Per ticket, seconds from creation to the first solve (NaN if none).

    Returns
    -------
    bool array
        One value per ticket.
    """
    rule = rules.fcr_rule
    n = len(batch)
    result: BoolArray
    if rule == "exactly_one_reply":
        result = replies == 1
    elif rule == "one_touch":
        result = replies <= 1
    elif rule == "one_touch_messaging":
        # Zendesk messaging: replied, never waited (pending / on-hold), never reopened.
        waited = np.isin(segments.status, [STATUS_CODES["pending"], STATUS_CODES["on_hold"]])
        ever_waited = np.bincount(segments.ticket[waited], minlength=n) > 0
        result = (replies > 0) & ~ever_waited & (reopens == 0)
    elif rule == "no_customer_follow_up":
        # Freshdesk: no customer message after the description (the first message of
        # a customer-opened ticket); on an agent-opened ticket every one is a follow-up.
        customer_opened = batch.created_by == CREATED_BY.index("customer")
        result = (asks - (customer_opened & (asks > 0))) == 0
    elif rule == "closed_once_one_agent":
        # Intercom: closed exactly once, with one participating teammate. Replies
        # without an agent id count as one (unknown) teammate.
        agents = ix["agent_id"].codes if len(ix) else np.empty(0, dtype=np.int32)
        known = distinct_per_ticket(ix.ticket[reply_rows], agents[reply_rows], n)
        unknown = np.bincount(ix.ticket[reply_rows & (agents < 0)], minlength=n) > 0
        teammates = np.maximum(known, unknown.astype(np.int64, copy=False))
        result = (solves == 1) & (teammates == 1)
    elif rule == "first_solution":
        # Zammad's report: close_at - 15 minutes < created_at (close_at: the first close).
        with np.errstate(invalid="ignore"):
            result = first_solve < rules.first_solution_minutes * 60.0
    elif rule == "flagged":
        tags = batch.tags
        code = tags["tag"].code_of(rules.fcr_flag_tag) if len(tags) else -2
        rows = tags["tag"].codes == code if len(tags) else np.zeros(0, dtype=bool)
        result = np.bincount(tags.ticket[rows], minlength=n) > 0
    else:  # repeat_contact
        result = ~_repeated(batch, rules.repeat_contact_days * 86400.0)
    return result


def _repeated(batch: TicketBatch, window: float) -> BoolArray:
    """Whether the same customer opened another ticket within ``window`` seconds after."""
    customer = batch.customer_id.codes.astype(np.int64, copy=False)
    order = np.lexsort((batch.created_at, customer))
    created = batch.created_at[order]
    same_next = np.concatenate([customer[order][1:] == customer[order][:-1], [False]])
    gap = np.concatenate([created[1:] - created[:-1], [np.inf]])
    repeated_sorted = same_next & (gap <= window) & (customer[order] >= 0)
    repeated = np.empty(len(batch), dtype=bool)
    repeated[order] = repeated_sorted
    return repeated
