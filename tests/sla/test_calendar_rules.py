"""Per-ticket calendars (CalendarRule) and schedule history in SLA evaluation and ticket_metrics.

Zendesk assigns a schedule to each ticket by its group ("Setting your schedule
with business hours and holidays": a trigger or the group sets the ticket's
schedule). The law checked here: evaluating under a rule gives, ticket by
ticket, what evaluating each group's tickets alone on that group's calendar gives.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cxmetrics
from cxmetrics import BusinessCalendar, CalendarError, Message, Ticket
from cxmetrics.calendars import CalendarHistory
from cxmetrics.calendars.rules import CalendarRule
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.sla import SlaPolicy, evaluate_sla

from tests.sla.fakes import AlwaysOpen, WeekdayHours
from tests.sla.strategies import T0, policies, ticket_lists
from tests.sla.test_reference import _rows

GROUPS = ("emea", "amer", "noc", None)
PARIS = BusinessCalendar("Europe/Paris", {"mon-fri": "09:00-17:00"})
NEW_YORK = BusinessCalendar("America/New_York", {"mon-fri": ["08:00-12:00", "13:00-18:00"]})


def _grouped(tickets: list[Ticket], groups: list[str | None]) -> list[Ticket]:
    return [t.model_copy(update={"group": g}) for t, g in zip(tickets, groups, strict=False)]


@settings(max_examples=60, deadline=None)
@given(
    tickets=ticket_lists(max_size=6),
    groups=st.lists(st.sampled_from(GROUPS), min_size=6, max_size=6),
    data=st.data(),
    as_of_h=st.integers(0, 200),
)
def test_a_rule_is_each_group_on_its_own_calendar(tickets, groups, data, as_of_h):
    tickets = _grouped(tickets, groups)
    chosen = {"emea": WeekdayHours(), "amer": WeekdayHours(7, 19), "noc": None}
    fallback = AlwaysOpen()
    rule = CalendarRule(by="group", calendars=chosen, default=fallback)
    policy = data.draw(policies(calendar=rule, reply_options=data.draw(st.booleans())))
    as_of = T0 + timedelta(hours=as_of_h)
    together = _rows(evaluate_sla(tickets, policy, as_of=as_of))
    apart = []
    for group in GROUPS:
        mine = [t for t in tickets if t.group == group]
        calendar = chosen.get(group, fallback) if group is not None else fallback
        alone = policy.model_copy(update={"calendar": calendar})
        apart += _rows(evaluate_sla(mine, alone, as_of=as_of))
    assert sorted(together, key=str) == sorted(apart, key=str)


def test_ticket_metrics_measure_each_ticket_on_its_group_calendar():
    t0 = datetime(2024, 3, 4, 12, tzinfo=timezone.utc)  # 13:00 in Paris, 07:00 in New York
    tickets = [
        Ticket(
            id=g or "none",
            created_at=t0,
            group=g,
            interactions=[Message(at=t0 + timedelta(hours=3), author="agent")],
        )
        for g in ("emea", "amer", "noc", None)
    ]
    rule = CalendarRule(
        by="group", calendars={"emea": PARIS, "amer": NEW_YORK, "noc": None}, default=PARIS
    )
    table = cxmetrics.ticket_metrics(tickets, calendar=rule).to_dict()
    # Paris 13:00-16:00; New York 08:00-10:00; calendar time; the default (Paris).
    assert table["first_reply_business"] == [3 * 3600.0, 2 * 3600.0, 3 * 3600.0, 3 * 3600.0]
    alone = cxmetrics.ticket_metrics(tickets[1:2], calendar=NEW_YORK).to_dict()
    assert alone["first_reply_business"] == [2 * 3600.0]
    assert cxmetrics.first_response_time(tickets[:2], calendar=rule) == timedelta(hours=2.5)


def test_a_value_without_calendar_or_default_names_the_ticket():
    rule = CalendarRule(by="group", calendars={"emea": PARIS})
    t0 = datetime(2024, 3, 4, 12, tzinfo=timezone.utc)
    tickets = [Ticket(id="T-9", created_at=t0, group="apac")]
    with pytest.raises(InvalidParameterError, match=r"T-9.*apac"):
        cxmetrics.ticket_metrics(tickets, calendar=rule)
    with pytest.raises(InvalidParameterError, match="T-9"):
        evaluate_sla(tickets, SlaPolicy("p", rule, [{"metric": "first_reply", "within": 60}]))
    with pytest.raises(CalendarError, match="per ticket"):
        rule.business_seconds(np.array([0.0]), np.array([1.0]))
    with pytest.raises(CalendarError, match="one of group"):
        CalendarRule(by="brand", calendars={"a": PARIS})


def test_a_rule_by_priority_and_a_history_inside_a_rule():
    changed = CalendarHistory(
        {date(2024, 1, 1): PARIS, date(2024, 3, 5): BusinessCalendar.always_open("Europe/Paris")}
    )
    rule = CalendarRule(by="priority", calendars={"urgent": changed}, default=PARIS)
    t0 = datetime(2024, 3, 4, 15, tzinfo=timezone.utc)  # 16:00 in Paris, Monday
    reply = [Message(at=t0 + timedelta(days=1), author="agent")]
    tickets = [
        Ticket(id="u", created_at=t0, priority="urgent", interactions=reply),
        Ticket(id="n", created_at=t0, priority="normal", interactions=reply),
    ]
    table = cxmetrics.ticket_metrics(tickets, calendar=rule).to_dict()
    # urgent: 16:00-17:00 under the old hours, then every second from Tuesday 00:00
    # (Paris) to 16:00: 1 h + 16 h. normal: 1 h Monday + 7 h Tuesday.
    assert table["first_reply_business"] == [17 * 3600.0, 8 * 3600.0]


def test_toml_forms_of_the_new_options(tmp_path):
    from cxmetrics.sla.config import read_sla

    file = tmp_path / "sla.toml"
    file.write_text(
        'name = "helpdesk"\n'
        'preset = "zammad"\n'
        "[calendar]\n"
        'by = "group"\n'
        "[calendar.calendars.emea]\n"
        'timezone = "Europe/Paris"\n'
        'dst_convention = "biz"\n'
        "[[calendar.calendars.amer.versions]]\n"
        'from = "2024-01-01"\n'
        'timezone = "America/New_York"\n'
        "[[calendar.calendars.amer.versions]]\n"
        'from = "2024-03-01"\n'
        'timezone = "America/New_York"\n'
        'hours = { mon-fri = "08:00-18:00" }\n'
        "[[targets]]\n"
        'metric = "first_reply"\n'
        'within = "PT4H"\n'
    )
    policy = read_sla(file)
    assert policy.reply_pause_statuses == ("pending",) and policy.first_reply_survives_solve
    rule = policy.calendar
    assert isinstance(rule, CalendarRule) and rule.by == "group"
    emea, amer = rule.calendars
    assert emea.dst_convention == "biz"
    assert isinstance(amer, CalendarHistory) and len(amer.versions) == 2
    overridden = tmp_path / "override.toml"
    overridden.write_text(
        'name = "x"\npreset = "zammad"\nfirst_reply_survives_solve = false\n'
        '[[targets]]\nmetric = "first_reply"\nwithin = "PT1H"\n'
    )
    assert not read_sla(overridden).first_reply_survives_solve
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'name = "x"\npreset = "zamad"\n[[targets]]\nmetric = "first_reply"\nwithin = 60\n'
    )
    with pytest.raises(InvalidParameterError, match="unknown SLA preset"):
        read_sla(bad)


def test_every_business_column_follows_the_ticket_calendar() -> None:
    """Each ticket under a rule equals that ticket measured alone on its own calendar,
    for every business column: status times, assignees, ages at as_of, time in status."""
    from cxmetrics.datasets import load_sample
    from cxmetrics.tickets import time_in

    tickets = list(load_sample().tickets[:150])
    groups = ("emea", "amer", "noc")
    tickets = [t.model_copy(update={"group": groups[i % 3]}) for i, t in enumerate(tickets)]
    calendars = {"emea": PARIS, "amer": NEW_YORK, "noc": None}  # noc: calendar time
    rule = CalendarRule(by="group", calendars=calendars)
    as_of = max(t.created_at for t in tickets) + timedelta(days=3)
    table = cxmetrics.ticket_metrics(tickets, calendar=rule, as_of=as_of).to_dict()
    spent = time_in(tickets, by="status", calendar=rule, as_of=as_of).to_dict()
    business = [name for name in table if name.endswith("_business")]
    for i, ticket in enumerate(tickets):
        own = calendars[str(ticket.group)]
        alone = cxmetrics.ticket_metrics([ticket], calendar=own, as_of=as_of).to_dict()
        for name in business:
            expected = alone.get(name, alone[name.removesuffix("_business")])
            assert table[name][i] == pytest.approx(expected[0], nan_ok=True), (ticket.id, name)
        own_spent = time_in([ticket], by="status", calendar=own, as_of=as_of).to_dict()
        rows = [k for k, owner in enumerate(spent["id"]) if owner == ticket.id]
        key = "seconds_business" if own is not None else "seconds"
        assert [spent["seconds_business"][k] for k in rows] == pytest.approx(own_spent[key])
