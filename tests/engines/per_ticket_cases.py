"""The cases both engines' per-ticket tables are checked on, and the comparison."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cxmetrics import BusinessCalendar, DistributedTables, sla_compliance_rate, ticket_metrics
from cxmetrics.calendars import CalendarRule
from cxmetrics.datasets import SyntheticData
from cxmetrics.definitions import Definitions
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.sla import SlaPolicy, SlaTarget, evaluate_sla

OFFICE = BusinessCalendar("Europe/Amsterdam", {"mon-fri": "09:00-17:00"}, holidays=["2024-01-01"])
LATE = BusinessCalendar("Europe/Amsterdam", {"mon-sat": "12:00-20:00"})
RULE = CalendarRule(by="group", calendars={"sales": LATE}, default=OFFICE)

# (calendar, definitions preset): calendar time, a business calendar, a rule per group;
# "repeat_contact" rules (contact centres) compare a customer's tickets.
TICKET_CASES = [
    (None, "default"),
    (OFFICE, "zendesk"),
    (RULE, "freshdesk"),
    (OFFICE, Definitions(name="contact centre", fcr_rule="repeat_contact")),
]


def sla_policy() -> SlaPolicy:
    """First reply, next reply and resolution on business hours, paused in pending and on hold."""
    return SlaPolicy(
        "standard",
        OFFICE,
        [
            SlaTarget(metric="first_reply", within=timedelta(hours=2)),
            SlaTarget(metric="next_reply", within=timedelta(hours=4)),
            SlaTarget(metric="resolution", within=timedelta(hours=16)),
        ],
        pause_statuses=["pending", "on_hold"],
    )


def as_of(data: SyntheticData) -> Any:
    return data.end - timedelta(days=2)


def assert_same_table(got: pd.DataFrame, want: pd.DataFrame, keys: list[str]) -> None:
    """Equal columns and values, rows matched by ``keys`` (floats to 1e-9 relative)."""
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    got = got.sort_values(keys, kind="stable").reset_index(drop=True)
    want = want.sort_values(keys, kind="stable").reset_index(drop=True)
    for name in want.columns:
        a, b = got[name], want[name]
        if b.dtype.kind in "mM":
            # Instants and durations: the same instants, to the engine's resolution.
            assert a.dtype.kind == b.dtype.kind, name
            a_ns = a.astype(b.dtype if b.dtype.kind == "m" else "datetime64[ns, UTC]")
            b_ns = b.astype(a_ns.dtype)
            assert a_ns.isna().equals(b_ns.isna()), name
            # Spark keeps microseconds: a mean with a fractional microsecond is cut there.
            unit = pd.Timedelta(1, np.datetime_data(a.dtype.base)[0])
            gap = (a_ns[~a_ns.isna()] - b_ns[~b_ns.isna()]).abs()
            assert (gap < unit).all(), (name, gap.max())
        elif b.dtype.kind == "f":
            np.testing.assert_allclose(
                a.to_numpy(float), b.to_numpy(float), rtol=1e-9, err_msg=name
            )
        elif b.dtype.kind in "biu":
            assert a.dtype == b.dtype, name
            assert (a.to_numpy() == b.to_numpy()).all(), name
        else:  # strings: categoricals in process, plain strings distributed
            want_values = [None if pd.isna(v) else str(v) for v in b.astype(object)]
            got_values = [None if pd.isna(v) else str(v) for v in a.astype(object)]
            assert got_values == want_values, name


def assert_same_compliance(data: SyntheticData, tables: DistributedTables) -> None:
    """``sla_compliance_rate`` over the engine's tables equals the in-process rate."""
    want = sla_compliance_rate(data.tickets, sla_policy(), as_of=as_of(data))
    got = sla_compliance_rate(tables, sla_policy(), as_of=as_of(data))
    assert got == pytest.approx(want, rel=1e-12)


def assert_refuses_tables_without_tickets(tables: DistributedTables) -> None:
    """A bundle holding histories but no tickets table is an error naming the table."""
    histories = DistributedTables(interactions=tables.interactions)
    with pytest.raises(InvalidParameterError, match=r"DistributedTables\.tickets is missing"):
        ticket_metrics(histories)
    with pytest.raises(InvalidParameterError, match=r"DistributedTables\.tickets is missing"):
        evaluate_sla(histories, sla_policy())
