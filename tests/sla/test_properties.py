"""Laws of SLA evaluation, over random ticket histories and policies."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import BusinessCalendar
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.outcomes import SlaOutcomes

from tests.sla.fakes import WeekdayHours
from tests.sla.strategies import T0, policies, ticket_lists

_LAWS = settings(max_examples=60)
CALENDARS = st.sampled_from([None, WeekdayHours(), BusinessCalendar("Europe/Paris")])
AS_OF = st.integers(0, 200).map(lambda h: T0 + timedelta(hours=h))
VALUES = (
    "status",
    "start_at",
    "due_at",
    "completed_at",
    "business_time_used",
    "time_left",
    "target",
)


def _sorted(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    keys = (columns["instance"], columns["metric"].astype(str), columns["ticket_id"].astype(str))
    order = np.lexsort(keys)
    return {name: column[order] for name, column in columns.items()}


def _table(out: SlaOutcomes) -> dict[str, np.ndarray]:
    return _sorted({name: out[name] for name in ("ticket_id", "metric", "instance", *VALUES)})


def _equal(a: dict[str, np.ndarray], b: dict[str, np.ndarray], names=None) -> None:
    for name in names or a:
        x, y = a[name], b[name]
        if x.dtype.kind == "f":
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-6, err_msg=name)
        else:
            assert x.tolist() == y.tolist(), name


@_LAWS
@given(tickets=ticket_lists(), calendar=CALENDARS, data=st.data(), as_of=AS_OF)
def test_pausing_never_makes_a_due_time_earlier(tickets, calendar, data, as_of):
    policy = data.draw(policies(calendar=calendar))
    unpaused = policy.model_copy(update={"pause_statuses": ()})
    paused, plain = (_table(evaluate_sla(tickets, p, as_of=as_of)) for p in (policy, unpaused))
    _equal(paused, plain, ("ticket_id", "metric", "instance", "start_at"))
    both = np.isfinite(paused["due_at"]) & np.isfinite(plain["due_at"])
    assert (paused["due_at"][both] >= plain["due_at"][both]).all()
    assert (np.isfinite(paused["due_at"]) == np.isfinite(plain["due_at"])).all()


@_LAWS
@given(tickets=ticket_lists(), calendar=CALENDARS, data=st.data(), as_of=AS_OF)
def test_achieved_exactly_when_completed_by_the_due_time(tickets, calendar, data, as_of):
    out = evaluate_sla(tickets, data.draw(policies(calendar=calendar)), as_of=as_of)
    status, due, done = out["status"], out["due_at"], out["completed_at"]
    judged = np.isin(status, ["achieved", "breached"]) & np.isfinite(done)
    assert ((status[judged] == "achieved") == (done[judged] <= due[judged])).all()
    # Open instances: breached exactly when the due time has passed.
    still = np.isin(status, ["active", "paused", "breached"]) & np.isnan(done)
    assert ((status[still] == "breached") == (due[still] < as_of.timestamp())).all()
    # Time left is negative exactly for breaches.
    timed = np.isin(status, ["achieved", "breached", "active", "paused"])
    assert ((out["time_left"][timed] < 0) <= (status[timed] == "breached")).all()


@_LAWS
@given(tickets=ticket_lists(), data=st.data(), as_of=AS_OF)
def test_always_open_calendar_equals_calendar_time(tickets, data, as_of):
    policy = data.draw(policies(calendar=BusinessCalendar.always_open("Asia/Kolkata")))
    plain = policy.model_copy(update={"calendar": None})
    _equal(
        _table(evaluate_sla(tickets, policy, as_of=as_of)),
        _table(evaluate_sla(tickets, plain, as_of=as_of)),
    )


@_LAWS
@given(tickets=ticket_lists(max_size=6), data=st.data(), as_of=AS_OF, cut=st.integers(0, 6))
def test_results_do_not_depend_on_partitioning(tickets, data, as_of, cut):
    policy = data.draw(policies(calendar=data.draw(CALENDARS)))
    whole = _table(evaluate_sla(tickets, policy, as_of=as_of))
    parts = [evaluate_sla(p, policy, as_of=as_of) for p in (tickets[:cut], tickets[cut:])]
    joined = {name: np.concatenate([_table(p)[name] for p in parts]) for name in whole}
    _equal(whole, _sorted(joined))


@_LAWS
@given(tickets=ticket_lists(), data=st.data(), as_of=AS_OF)
def test_business_calendar_agrees_with_the_closed_form_fake(tickets, data, as_of):
    policy = data.draw(policies(calendar=WeekdayHours()))
    real = policy.model_copy(update={"calendar": BusinessCalendar("UTC")})
    _equal(
        _table(evaluate_sla(tickets, policy, as_of=as_of)),
        _table(evaluate_sla(tickets, real, as_of=as_of)),
    )
