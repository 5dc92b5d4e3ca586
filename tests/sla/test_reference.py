"""The vectorised evaluator against the slow minute-by-minute reference evaluator."""

from __future__ import annotations

import math
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.policy import SlaPolicySet

from tests.sla import reference
from tests.sla.fakes import AlwaysOpen, WeekdayHours
from tests.sla.strategies import T0, policies, ticket_lists

CALENDARS = st.sampled_from([None, AlwaysOpen(), WeekdayHours()])


def _rows(outcomes):
    d = outcomes.to_dict()
    out = []
    for i in range(len(outcomes)):
        out.append(
            (
                d["ticket_id"][i],
                d["policy"][i],
                d["metric"][i],
                d["status"][i],
                _s(d["start_at"][i]),
                _s(d["due_at"][i]),
                _s(d["completed_at"][i]),
                _s(d["business_time_used"][i]),
                _s(d["time_left"][i]),
            )
        )
    return sorted(out, key=_key)


def _s(value):
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value.timestamp()


def _key(row):
    return tuple((x is None, "" if x is None else str(x)) for x in row[:5])


def _ref_rows(rows):
    return sorted(
        [
            (
                r.ticket_id,
                r.policy,
                r.metric,
                r.status,
                r.start,
                r.due,
                r.completed_at,
                r.used,
                r.time_left,
            )
            for r in rows
        ],
        key=_key,
    )


def assert_matches_reference(tickets, policy, as_of):
    """The vectorised evaluator's rows equal the reference evaluator's."""
    fast = _rows(evaluate_sla(tickets, policy, as_of=as_of))
    slow = _ref_rows(reference.evaluate(tickets, policy, as_of.timestamp()))
    assert len(fast) == len(slow), (fast, slow)
    for f, s in zip(fast, slow, strict=True):
        assert all(_same(x, y) for x, y in zip(f, s, strict=True)), (f, s)


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, abs_tol=1e-6)
    return a == b


@settings(max_examples=150)
@given(tickets=ticket_lists(), calendar=CALENDARS, data=st.data(), as_of_h=st.integers(0, 200))
def test_matches_reference(tickets, calendar, data, as_of_h):
    policy = data.draw(policies(calendar=calendar))
    as_of = T0 + timedelta(hours=as_of_h)
    assert_matches_reference(tickets, policy, as_of)


@settings(max_examples=60)
@given(tickets=ticket_lists(), data=st.data(), as_of_h=st.integers(0, 200))
def test_policy_sets_match_reference(tickets, data, as_of_h):
    chat = data.draw(policies(calendar=WeekdayHours(), name="chat")).when(channel="chat")
    vip = data.draw(policies(calendar=None, name="vip")).when(tags=["vip"])
    rules = [chat, vip]
    if data.draw(st.booleans()):
        rules.append(data.draw(policies(calendar=AlwaysOpen(), name="rest")))
    policy_set = SlaPolicySet(policies=rules)
    as_of = T0 + timedelta(hours=as_of_h)
    assert_matches_reference(tickets, policy_set, as_of)
