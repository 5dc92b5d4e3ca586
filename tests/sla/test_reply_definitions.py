"""SLA first-reply clocks stop at the reply the ticket metrics measure, under every preset."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from cxmetrics import Call, Definitions, Message, Ticket, first_response_time
from cxmetrics.datasets import generate
from cxmetrics.definitions import PRESETS
from cxmetrics.sla import SlaPolicy, SlaTarget, evaluate_sla, sla_compliance_rate
from cxmetrics.tables.ticket_batch import CREATED_BY
from cxmetrics.tickets import ticket_metrics

T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
LATER = T0 + timedelta(days=2)
ONE_HOUR = SlaPolicy(name="std", targets=[SlaTarget(metric="first_reply", within="PT1H")])


def _bot_then_agent() -> Ticket:
    return Ticket(
        id="T1",
        created_at=T0,
        interactions=[
            Message(at=T0, author="customer"),
            Message(at=T0 + timedelta(minutes=10), author="bot"),
            Message(at=T0 + timedelta(minutes=90), author="agent"),
        ],
    )


def test_a_bot_reply_meets_the_target_only_where_bots_count() -> None:
    ticket = _bot_then_agent()
    default = evaluate_sla([ticket], ONE_HOUR, as_of=LATER)
    assert default.to_dict()["status"] == ["breached"]  # the agent answered after 90 min
    bots = Definitions(count_bots=True)
    counted = evaluate_sla([ticket], ONE_HOUR, as_of=LATER, definitions=bots).to_dict()
    assert counted["status"] == ["achieved"]
    assert counted["completed_at"] == [T0 + timedelta(minutes=10)]
    # The same reply the ticket metrics measure:
    assert first_response_time([ticket], definitions=bots) == timedelta(minutes=10)
    assert sla_compliance_rate([ticket], ONE_HOUR, as_of=LATER, definitions=bots) == 1.0


def test_calls_stop_the_clock_only_where_calls_count() -> None:
    ticket = Ticket(
        id="T2",
        created_at=T0,
        channel="phone",
        interactions=[Call(at=T0 + timedelta(minutes=5), talk=120)],
    )
    assert evaluate_sla([ticket], ONE_HOUR, as_of=LATER).to_dict()["status"] == ["achieved"]
    no_calls = Definitions(count_calls=False)
    out = evaluate_sla([ticket], ONE_HOUR, as_of=LATER, definitions=no_calls).to_dict()
    assert out["status"] == ["breached"]


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("seed", [3, 11])
def test_first_reply_completion_is_the_measured_first_reply(preset: str, seed: int) -> None:
    # A law between two kernels: for tickets opened by a customer, the SLA's
    # first-reply instance completes exactly at the ticket metrics' first reply.
    batch = generate(1500, seed=seed).tickets
    as_of = datetime.fromtimestamp(float(batch.created_at.max()) + 30 * 86400, tz=timezone.utc)
    out = evaluate_sla(batch, ONE_HOUR, as_of=as_of, definitions=preset)
    measured = ticket_metrics(batch, definitions=preset)
    ticket = np.asarray(out["ticket"])
    by_customer = np.asarray(batch.created_by) == CREATED_BY.index("customer")
    rows = by_customer[ticket]
    assert rows.any()
    completed = np.asarray(out["completed_at"], dtype=np.float64)[rows]
    first = np.asarray(measured["first_reply_at"], dtype=np.float64)[ticket[rows]]
    np.testing.assert_array_equal(completed, first)
