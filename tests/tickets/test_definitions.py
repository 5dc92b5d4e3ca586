"""Every rule of Definitions by hand, and every preset on the same hand-made tickets.

The per-preset expectations come from the table in docs/concepts/definitions.md
(the rules each helpdesk documents), worked out by hand on small tickets.
"""

from __future__ import annotations

import math
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cxmetrics.definitions import PRESETS, Definitions
from cxmetrics.exceptions import CXMetricsDeprecationWarning, InvalidParameterError
from cxmetrics.metrics.fcr import fcr_rate
from cxmetrics.metrics.reopen import reopen_rate
from cxmetrics.metrics.resolution import ResolutionTime, resolution_rate, resolution_time
from cxmetrics.metrics.response_time import FirstResponseTime, first_response_time
from cxmetrics.models import Call, Message, StatusChange, Ticket

T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)  # a Monday
MARCH = (datetime(2024, 3, 1, tzinfo=timezone.utc), datetime(2024, 4, 1, tzinfo=timezone.utc))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def minutes(value: timedelta | float) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds() / 60
    return value


# --- the hand-made tickets ---------------------------------------------------------------


def agent_opened() -> Ticket:
    """An outbound ticket: the agent writes first, the customer answers, the agent replies."""
    return Ticket(
        id="out",
        created_at=at(0),
        created_by="agent",
        interactions=[
            Message(at=at(0), author="agent"),
            Message(at=at(60), author="customer"),
            Message(at=at(90), author="agent"),
        ],
    )


def phoned() -> Ticket:
    """Answered by phone after 5 minutes, in writing after 50."""
    return Ticket(
        id="call",
        created_at=at(0),
        channel="phone",
        interactions=[
            Message(at=at(0), author="customer"),
            Call(at=at(5), talk=timedelta(minutes=3)),
            Message(at=at(50), author="agent"),
        ],
    )


def reopened() -> Ticket:
    """Solved after 20 minutes, reopened, solved again after 90."""
    return Ticket(
        id="again",
        created_at=at(0),
        interactions=[Message(at=at(0), author="customer"), Message(at=at(10), author="agent")],
        status_changes=[
            StatusChange(at=at(20), status="solved"),
            StatusChange(at=at(60), status="open"),
            StatusChange(at=at(90), status="solved"),
        ],
    )


def fcr_pair() -> list[Ticket]:
    """One reply but a customer follow-up; two replies and no follow-up."""
    follow_up = Ticket(
        id="thanks",
        created_at=at(0),
        interactions=[
            Message(at=at(0), author="customer"),
            Message(at=at(10), author="agent"),
            Message(at=at(20), author="customer"),
        ],
        status_changes=[StatusChange(at=at(30), status="solved")],
    )
    two = Ticket(
        id="two",
        created_at=at(0),
        interactions=[
            Message(at=at(0), author="customer"),
            Message(at=at(10), author="agent"),
            Message(at=at(15), author="agent"),
        ],
        status_changes=[StatusChange(at=at(30), status="solved")],
    )
    return [follow_up, two]


def across_months() -> list[Ticket]:
    """Created in February and resolved in March; created in March and resolved in April."""
    feb = datetime(2024, 2, 28, 12, tzinfo=timezone.utc)
    mar = datetime(2024, 3, 10, 12, tzinfo=timezone.utc)
    return [
        Ticket(
            id="feb",
            created_at=feb,
            interactions=[Message(at=feb + timedelta(days=2), author="agent")],
            status_changes=[StatusChange(at=feb + timedelta(days=3), status="solved")],
        ),
        Ticket(
            id="mar",
            created_at=mar,
            interactions=[Message(at=mar + timedelta(hours=1), author="agent")],
            status_changes=[StatusChange(at=mar + timedelta(days=23), status="solved")],
        ),
    ]


# --- every preset on the same tickets ---------------------------------------------------------

# preset: (first reply of the outbound ticket, first reply of the phoned one, resolution
# of the reopened one, FCR of the pair, March resolution time in days)
EXPECTED: dict[str, tuple[float | None, float, float, list[bool], float]] = {
    "default": (90, 5, 90, [True, False], 23),
    "zendesk": (90, 5, 90, [True, False], 23),
    "freshdesk": (0, 5, 90, [False, True], 3),
    "intercom": (None, 5, 90, [True, True], 23),
    "zammad": (0, 5, 90, [False, False], 23),  # First Solution: both solved after 30 min
    "chatwoot": (0, 50, (20 + 90) / 2, [True, False], 3),
    "zoho": (90, 5, 90, [True, False], 23),
}


def test_the_table_names_every_preset() -> None:
    assert set(EXPECTED) == set(PRESETS)


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_every_preset_on_the_hand_made_tickets(preset: str) -> None:
    outbound, phone, resolution, fcr, march_days = EXPECTED[preset]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # intercom: no first reply is undefined
        got = first_response_time([agent_opened()], definitions=preset)
    if outbound is None:
        assert math.isnan(got)  # type: ignore[arg-type]
    else:
        assert minutes(got) == outbound
    assert minutes(first_response_time([phoned()], definitions=preset)) == phone
    assert minutes(resolution_time([reopened()], definitions=preset)) == resolution
    pair = fcr_pair()
    assert [fcr_rate([t], definitions=preset) == 1.0 for t in pair] == fcr
    march = resolution_time(across_months(), definitions=preset, window=MARCH)
    assert march == timedelta(days=march_days)


# --- every rule by hand -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "expected", "n"), [("full", 90, 1), ("first", 20, 1), ("each", 55, 2)]
)
def test_resolution_events(events: str, expected: float, n: int) -> None:
    metric = ResolutionTime(definitions=Definitions(resolution_events=events))  # type: ignore[arg-type]
    metric.update([reopened()])
    result = metric.compute()
    assert (minutes(result.value), result.n) == (expected, n)


def test_count_calls() -> None:
    assert minutes(first_response_time([phoned()], definitions=Definitions())) == 5
    assert (
        minutes(first_response_time([phoned()], definitions=Definitions(count_calls=False))) == 50
    )


def test_attribution_by_creation() -> None:
    rules = Definitions(attribute_to="created")
    items = across_months()
    # Only the ticket created in March counts, whatever month its events fall in.
    frt = FirstResponseTime(definitions=rules, window=MARCH)
    frt.update(items)
    result = frt.compute()
    assert (result.value, result.n, result.details["outside"]) == (timedelta(hours=1), 1, 1)
    assert resolution_time(items, definitions=rules, window=MARCH) == timedelta(days=23)
    assert fcr_rate(items, definitions=rules, window=MARCH) == 1.0
    # Created in March: one ticket, resolved by the end of March? no (April 2).
    assert resolution_rate(items, definitions=rules, window=MARCH) == 0.0


def test_attribution_by_event() -> None:
    rules = Definitions(attribute_to="event")
    items = across_months()
    # Both first replies fall in March (March 1 and March 10): 48 h and 1 h.
    assert first_response_time(items, definitions=rules, window=MARCH) == timedelta(hours=24.5)
    # Only the February ticket was solved in March.
    assert resolution_time(items, definitions=rules, window=MARCH) == timedelta(days=3)
    # Open at some time in March: both; solved in March: the February one.
    assert resolution_rate(items, definitions=rules, window=MARCH) == 0.5
    # No value attributed to April's first days... but the March ticket's solve is.
    april = (MARCH[1], MARCH[1] + timedelta(days=30))
    assert resolution_time(items, definitions=rules, window=april) == timedelta(days=23)


def test_reopen_rate_attribution() -> None:
    ticket = reopened()  # created and first solved on March 4
    later = ticket.model_copy(update={"id": "later"})
    assert reopen_rate([ticket, later]) == 1.0
    for rules in (Definitions(attribute_to="created"), Definitions(attribute_to="event")):
        assert reopen_rate([ticket], definitions=rules, window=MARCH) == 1.0
        with pytest.warns(UserWarning):  # nothing in February under either rule
            feb = (datetime(2024, 2, 1, tzinfo=timezone.utc), MARCH[0])
            assert math.isnan(reopen_rate([ticket], definitions=rules, window=feb))


def test_bad_period_is_named() -> None:
    with pytest.raises(ValueError, match="start before end"):
        first_response_time([], window=(MARCH[1], MARCH[0]))
    with pytest.raises(ValueError, match="aware"):
        first_response_time([], window=(datetime(2024, 3, 1), datetime(2024, 4, 1)))


def rules_table() -> dict[str, dict[str, Any]]:
    return {name: preset.model_dump() for name, preset in PRESETS.items()}


def test_presets_are_the_documented_rules() -> None:
    """The rules each preset sets (the docs table lists the same, with sources)."""
    table = rules_table()
    differs = {
        name: {k: v for k, v in rules.items() if k != "name" and v != table["default"][k]}
        for name, rules in table.items()
    }
    assert differs == {
        "default": {},
        "zendesk": {},
        "freshdesk": {
            "agent_created": "from_creation",
            "fcr_rule": "no_customer_follow_up",
            "attribute_to": "event",
        },
        "intercom": {"agent_created": "exclude", "fcr_rule": "closed_once_one_agent"},
        "zammad": {"agent_created": "from_creation", "fcr_rule": "first_solution"},
        "chatwoot": {
            "agent_created": "from_creation",
            "count_calls": False,
            "resolution_events": "each",
            "attribute_to": "event",
            "first_reply_from": "handoff",
        },
        "zoho": {"reply_excludes_closed": True},
    }


def test_period_is_the_old_name_of_window() -> None:
    items = [
        Ticket(
            id=1,
            created_at=MARCH[0],
            status="solved",
            interactions=[Message(at=MARCH[0] + timedelta(hours=2), author="agent")],
        )
    ]
    expected = first_response_time(items, window=MARCH)
    with pytest.warns(
        CXMetricsDeprecationWarning, match="'period' parameter is now called 'window'"
    ):
        assert first_response_time(items, period=MARCH) == expected == timedelta(hours=2)
    with pytest.warns(CXMetricsDeprecationWarning):
        assert FirstResponseTime(period=MARCH).params.window == MARCH
    with pytest.raises(InvalidParameterError, match="give 'window' only"):
        fcr_rate(items, window=MARCH, period=MARCH)
