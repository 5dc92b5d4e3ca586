"""Every ticket metric class passes the shared contract; values match the oracle."""

from __future__ import annotations

import math
import warnings
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import (
    FCR,
    AnsweredWithin,
    AverageResponseTime,
    Backlog,
    BusinessCalendar,
    ChannelMix,
    ContactRate,
    FirstResponseTime,
    InteractionsPerTicket,
    Message,
    NextResponseTime,
    ReopenRate,
    RequesterWaitTime,
    ResolutionRate,
    ResolutionTime,
    TagCounts,
    Ticket,
    TicketVolume,
    TransferRate,
    UndefinedMetricWarning,
    answered_within,
    average_response_time,
    backlog,
    channel_mix,
    contact_rate,
    fcr_rate,
    first_response_time,
    interactions_per_ticket,
    next_response_time,
    reopen_rate,
    requester_wait_time,
    resolution_rate,
    resolution_time,
    tag_counts,
    ticket_volume,
    transfer_rate,
)
from cxmetrics.definitions import PRESETS, Definitions
from cxmetrics.exceptions import CXMetricsDeprecationWarning, InvalidParameterError
from cxmetrics.metrics.backlog import backlog_series
from cxmetrics.tickets import ticket_metrics as ticket_metrics_of

from ..strategies import T0, generated_tickets, ticket_lists
from ..tickets.oracle import measure
from .contract import MetricContract

CAL = BusinessCalendar("America/New_York", {"mon-fri": "09:00-17:00"})
# The contract draws many batches: realistic generated tickets keep it fast; the
# oracle tests below use the adversarial hypothesis histories.
tickets = generated_tickets()


class TestFirstResponseTime(MetricContract):
    metric_cls, function, items = FirstResponseTime, first_response_time, tickets


class TestFirstResponseTimeMedianBusiness(MetricContract):
    metric_cls, function, items = FirstResponseTime, first_response_time, tickets
    params = {"statistic": "median", "calendar": CAL, "definitions": "intercom"}


class TestAnsweredWithin(MetricContract):
    metric_cls, function, items = AnsweredWithin, answered_within, tickets
    params = {"within": timedelta(hours=2), "calendar": CAL}


class TestNextResponseTime(MetricContract):
    metric_cls, function, items = NextResponseTime, next_response_time, tickets
    params = {"statistic": "p90"}


class TestAverageResponseTime(MetricContract):
    metric_cls, function, items = AverageResponseTime, average_response_time, tickets


class TestResolutionTime(MetricContract):
    metric_cls, function, items = ResolutionTime, resolution_time, tickets
    params = {"definitions": "chatwoot", "calendar": CAL}


class TestRequesterWaitTime(MetricContract):
    metric_cls, function, items = RequesterWaitTime, requester_wait_time, tickets


class TestResolutionRate(MetricContract):
    metric_cls, function, items = ResolutionRate, resolution_rate, tickets


class TestFCR(MetricContract):
    metric_cls, function, items = FCR, fcr_rate, tickets
    params = {"definitions": "freshdesk"}


class TestReopenRate(MetricContract):
    metric_cls, function, items = ReopenRate, reopen_rate, tickets


class TestTransferRate(MetricContract):
    metric_cls, function, items = TransferRate, transfer_rate, tickets


class TestInteractionsPerTicket(MetricContract):
    metric_cls, function, items = InteractionsPerTicket, interactions_per_ticket, tickets


class TestChannelMix(MetricContract):
    metric_cls, function, items = ChannelMix, channel_mix, tickets


class TestTagCounts(MetricContract):
    metric_cls, function, items = TagCounts, tag_counts, tickets


class TestTicketVolume(MetricContract):
    metric_cls, function, items = TicketVolume, ticket_volume, tickets
    params = {"period": "week", "timezone": "Europe/Paris"}


class TestContactRate(MetricContract):
    metric_cls, function, items = ContactRate, contact_rate, tickets


class TestBacklog(MetricContract):
    metric_cls, function, items = Backlog, backlog, tickets
    params = {"as_of": T0 + timedelta(days=3)}

    def test_empty_input_is_undefined(self) -> None:
        # An empty backlog is a real zero.
        metric = Backlog(**self.params)
        metric.update([])
        assert metric.compute().value == 0


# --- values against the oracle ---------------------------------------------------------


@given(ticket_lists())
def test_rates_and_means_equal_the_oracle(items: list[Ticket]) -> None:
    rules = Definitions.preset("default")
    rows = [measure(t, rules, others=items) for t in items]
    resolved = [r for r in rows if r["resolved"]]
    if resolved:
        assert fcr_rate(items) == pytest.approx(sum(r["fcr"] for r in resolved) / len(resolved))
    solved_once = [r for r in rows if r["solves"] > 0]
    if solved_once:
        assert reopen_rate(items) == pytest.approx(
            sum(r["reopens"] > 0 for r in solved_once) / len(solved_once)
        )
    firsts = [r["first_reply"] for r in rows if r["first_reply"] is not None]
    if firsts:
        assert first_response_time(items).total_seconds() == pytest.approx(
            np.mean(firsts), abs=1e-6
        )
        assert first_response_time(items, statistic="median").total_seconds() == pytest.approx(
            np.median(firsts), abs=1e-6
        )
    exchanges = [x for r in rows for x in r["exchanges"]]
    if exchanges:
        assert average_response_time(items).total_seconds() == pytest.approx(
            np.mean(exchanges), abs=1e-6
        )


@given(ticket_lists(), st.sampled_from([*sorted(PRESETS), "one_touch", "one_touch_messaging",
                                         "repeat_contact"]))  # fmt: skip
def test_adding_a_first_contact_resolution_never_lowers_fcr(items: list[Ticket], rule: str) -> None:
    from cxmetrics import Message, StatusChange

    # Every preset, and the rules no preset uses. A ticket without a customer never
    # turns another ticket into a repeat contact.
    rules = PRESETS.get(rule) or Definitions(fcr_rule=rule)  # type: ignore[arg-type]

    one_touch = Ticket(
        id="extra",
        created_at=T0,
        interactions=[
            Message(at=T0, author="customer"),
            Message(at=T0 + timedelta(minutes=5), author="agent"),
        ],
        status_changes=[StatusChange(at=T0 + timedelta(minutes=6), status="solved")],
    )
    before = fcr_rate(items, zero_division=0.0, definitions=rules)
    assert fcr_rate([*items, one_touch], definitions=rules) >= before - 1e-12


def test_duration_result_reports_n_excluded_and_interval() -> None:
    from cxmetrics import Message

    reply = lambda m: [Message(at=T0 + timedelta(minutes=m), author="agent")]  # noqa: E731
    items = [
        Ticket(id=i, created_at=T0, interactions=reply(m)) for i, m in enumerate([10, 20, 30, 40])
    ]
    items.append(Ticket(id=9, created_at=T0))
    metric = FirstResponseTime()
    metric.update(items)
    result = metric.compute()
    assert result.value == timedelta(minutes=25)
    assert (result.n, result.details["excluded"]) == (4, 1)
    # t-interval of 10, 20, 30, 40 minutes: 25 ± 3.182446 * s/2 with s = 12.9099 minutes
    half = 3.182446 * 12.909944 / 2
    low, high = result.interval
    assert low.total_seconds() / 60 == pytest.approx(25 - half, abs=1e-4)
    assert high.total_seconds() / 60 == pytest.approx(25 + half, abs=1e-4)


def test_business_hours_first_response() -> None:
    from cxmetrics import Message

    friday_4pm = datetime(2024, 3, 8, 21, 0, tzinfo=timezone.utc)  # 16:00 in New York
    monday_10am = datetime(
        2024, 3, 11, 14, 0, tzinfo=timezone.utc
    )  # 10:00 EDT, after the DST change
    ticket = Ticket(
        id=1, created_at=friday_4pm, interactions=[Message(at=monday_10am, author="agent")]
    )
    assert first_response_time([ticket], calendar=CAL) == timedelta(hours=2)
    assert first_response_time([ticket]) == monday_10am - friday_4pm


def test_bad_parameters_are_named() -> None:
    from cxmetrics import InvalidParameterError

    with pytest.raises(
        InvalidParameterError,
        match=r"The 'statistic' parameter of FirstResponseTime must be 'mean', 'median', 'max', 'min' or a percentile such as 'p90'\. Got 'p100' instead\.",
    ):
        FirstResponseTime(statistic="p100")
    with pytest.raises(InvalidParameterError, match="unknown definitions preset 'helpscout'"):
        FCR(definitions="helpscout")
    with pytest.raises(
        InvalidParameterError,
        match="The 'calendar' parameter of ResolutionTime must be a BusinessCalendar or None",
    ):
        ResolutionTime(calendar="Europe/Paris")


def test_duplicate_ticket_ids_are_named() -> None:
    from cxmetrics import RecordValidationError

    with pytest.raises(RecordValidationError, match="appear more than once in one batch: '1'"):
        fcr_rate([Ticket(id=1, created_at=T0), Ticket(id=1, created_at=T0)])


class TestTicketVolumeHourWeekday(MetricContract):
    metric_cls, function, items = TicketVolume, ticket_volume, tickets
    params = {"period": "hour_weekday", "timezone": "Asia/Kolkata"}


# --- volume, backlog series ---------------------------------------------------------------


def test_volume_per_period_in_a_timezone() -> None:
    # 23:30 UTC on Sunday 2024-03-31 is already Monday 01:30 in Paris (CEST).
    instants = [
        datetime(2024, 3, 31, 23, 30, tzinfo=timezone.utc),
        datetime(2024, 3, 31, 12, 0, tzinfo=timezone.utc),
        datetime(2024, 4, 15, 12, 0, tzinfo=timezone.utc),
        datetime(2024, 7, 1, 12, 0, tzinfo=timezone.utc),
    ]
    items = [Ticket(id=i, created_at=t) for i, t in enumerate(instants)]
    paris = {"timezone": "Europe/Paris"}
    assert ticket_volume(items, period="day", **paris) == {
        "2024-03-31": 1, "2024-04-01": 1, "2024-04-15": 1, "2024-07-01": 1,
    }  # fmt: skip
    assert ticket_volume(items, period="day") == {"2024-03-31": 2, "2024-04-15": 1, "2024-07-01": 1}
    assert ticket_volume(items, period="week", **paris) == {
        "2024-W13": 1, "2024-W14": 1, "2024-W16": 1, "2024-W27": 1,
    }  # fmt: skip
    assert ticket_volume(items, period="month", **paris) == {
        "2024-03": 1,
        "2024-04": 2,
        "2024-07": 1,
    }
    assert ticket_volume(items, period="quarter", **paris) == {
        "2024-Q1": 1,
        "2024-Q2": 2,
        "2024-Q3": 1,
    }
    assert ticket_volume(items, period="year", **paris) == {"2024": 4}
    metric = TicketVolume(period="month", **paris)
    metric.update(items)
    details = metric.compute().details
    assert (details["periods"], details["mean_per_period"]) == (5, 4 / 5)  # March to July


def test_volume_by_hour_and_weekday_averages_per_week() -> None:
    # Monday 10:15 in Kolkata (UTC+05:30) is 04:45 UTC: the quarter hour decides the hour.
    monday = datetime(2024, 3, 4, 4, 45, tzinfo=timezone.utc)
    offsets = [timedelta(0), timedelta(minutes=1), timedelta(days=14), timedelta(days=1, hours=2)]
    items = [Ticket(id=i, created_at=monday + d) for i, d in enumerate(offsets)]
    metric = TicketVolume(period="hour_weekday", timezone="Asia/Kolkata")
    metric.update(items[:2])
    other = TicketVolume(period="hour_weekday", timezone="Asia/Kolkata")
    other.update(items[2:])
    metric.merge(other)
    result = metric.compute()
    assert result.value == {"Mon 10h": 3, "Tue 12h": 1}
    assert result.n == 4 and result.details["periods"] == 3  # ISO weeks 10 to 12
    assert result.details["mean_per_period"] == {"Mon 10h": 1.0, "Tue 12h": 1 / 3}


@settings(max_examples=100)  # ~0.1 s an example: the suite stays under 10 min
@given(ticket_lists())
def test_backlog_series_is_the_backlog_at_each_instant(items: list[Ticket]) -> None:
    instants = [T0 + timedelta(hours=h) for h in range(0, 24 * 14, 17)]
    series = backlog_series(items, instants)
    assert list(series) == instants
    for moment, count in series.items():
        assert count == backlog(items, as_of=moment)
        unresolved = [t for t in items if t.created_at <= moment and not _resolved_at(t, moment)]
        assert count == len(unresolved)


def _resolved_at(ticket: Ticket, moment: datetime) -> bool:
    """Resolved at ``moment``: the last status change at or before it is solved/closed."""
    if not ticket.status_changes:
        if ticket.solved_at is not None:
            return ticket.solved_at <= moment
        return ticket.status in ("solved", "closed")
    status = "new"
    for change in ticket.status_changes:
        if change.at <= moment:
            status = change.status
    return status in ("solved", "closed")


@given(generated_tickets())
def test_every_metric_reuses_a_measured_table(items: list[Ticket]) -> None:
    table = ticket_metrics_of(items, CAL, "zendesk")
    one_liners = [first_response_time, next_response_time, average_response_time,
                  resolution_time, requester_wait_time]  # fmt: skip
    rates = [resolution_rate, fcr_rate, reopen_rate, transfer_rate, interactions_per_ticket]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty or undefined inputs
        for function in one_liners:
            for calendar in (None, CAL):
                same_value(
                    function(table, calendar=calendar, definitions="zendesk"),
                    function(items, calendar=calendar, definitions="zendesk"),
                )
        for function in rates:
            same_value(
                function(table, definitions="zendesk"), function(items, definitions="zendesk")
            )
        for function in (channel_mix, tag_counts, contact_rate, ticket_volume):
            same_value(function(table), function(items))
        same_value(
            backlog(table, as_of=T0 + timedelta(days=2)),
            backlog(items, as_of=T0 + timedelta(days=2)),
        )


def same_value(a: object, b: object) -> None:
    if isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b)
    else:
        assert a == b


def test_a_table_measured_otherwise_is_refused() -> None:
    items = [Ticket(id=1, created_at=T0)]
    table = ticket_metrics_of(items, None, "zendesk")
    with pytest.raises(
        ValueError, match="measured under the 'zendesk' definitions, not 'chatwoot'"
    ):
        fcr_rate(table, definitions="chatwoot")
    # The same rules under another name are reused: one unresolved ticket.
    assert resolution_rate(table, definitions="default") == 0.0
    assert fcr_rate(table, definitions="default", zero_division=0.0) == 0.0
    with pytest.raises(ValueError, match="measured in calendar time"):
        first_response_time(table, calendar=CAL, definitions="zendesk")


def test_at_is_the_old_name_of_as_of() -> None:
    ticket = Ticket(id=1, created_at=T0)
    later = T0 + timedelta(days=1)
    with pytest.warns(CXMetricsDeprecationWarning, match="'at' parameter is now called 'as_of'"):
        assert backlog([ticket], at=later) == backlog([ticket], as_of=later) == 1
    with pytest.warns(CXMetricsDeprecationWarning):
        assert Backlog(at=later).params.as_of == later
    with pytest.raises(InvalidParameterError, match="as_of"):
        backlog([ticket])


def test_undefined_warnings_say_why() -> None:
    """Issue 13: "no input" only when there was no input."""
    open_ticket = Ticket(id="a", created_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
    cases = [
        (first_response_time, [open_ticket], "no ticket has a first reply"),
        (resolution_time, [open_ticket], "no ticket is resolved"),
        (first_response_time, [], "no input"),
    ]
    for metric, tickets, why in cases:
        with pytest.warns(UndefinedMetricWarning, match=f"undefined: {why}"):
            metric(tickets)


def test_contact_rates_named_for_what_they_are() -> None:
    from cxmetrics import customer_contact_share, tickets_per_contacting_customer
    from cxmetrics.exceptions import InvalidParameterError

    t0 = datetime(2024, 3, 4, tzinfo=timezone.utc)
    owners = ["a", "a", "a", "b", None]  # three customers' worth of tickets, one anonymous
    tickets = [Ticket(id=i, created_at=t0, customer_id=c) for i, c in enumerate(owners)]
    # 5 tickets / 2 contacting customers; 2 of a base of 8 customers contacted.
    assert tickets_per_contacting_customer(tickets) == 2.5 == contact_rate(tickets)
    assert customer_contact_share(tickets, customers=8) == 0.25
    with pytest.raises(InvalidParameterError, match="customer base"):
        customer_contact_share(tickets, customers=1)


def test_statistic_max_and_min_are_the_longest_and_shortest() -> None:
    from cxmetrics.datasets import load_sample
    from cxmetrics.tickets import ticket_metrics

    tickets = load_sample().tickets[:300]
    table = ticket_metrics(tickets)
    replies = table["first_reply"][~np.isnan(table["first_reply"])]
    longest = first_response_time(tickets, statistic="max")
    assert longest == timedelta(seconds=float(replies.max()))
    assert first_response_time(tickets, statistic="min") == timedelta(seconds=float(replies.min()))
    result = FirstResponseTime(statistic="max")
    result.update(tickets)
    assert result.compute().interval is None  # an exact figure of the data
    with pytest.raises(InvalidParameterError):
        first_response_time(tickets, statistic="maximum")


def test_answered_within_by_hand() -> None:
    from cxmetrics.tickets import ticket_metrics

    t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    minutes = [5, 60, 61, None]  # the last ticket has no reply: left out
    tickets = [
        Ticket(id=i, created_at=t0, interactions=[] if m is None else
               [Message(at=t0 + timedelta(minutes=m), author="agent")])
        for i, m in enumerate(minutes)
    ]  # fmt: skip
    assert answered_within(tickets, within=timedelta(hours=1)) == 2 / 3
    sample = generated_tickets_list()
    replies = ticket_metrics(sample)["first_reply"]
    replies = replies[~np.isnan(replies)]
    share = answered_within(sample, within=timedelta(hours=4))
    assert share == float((replies <= 4 * 3600).sum() / replies.size)


def generated_tickets_list() -> list:
    from cxmetrics.datasets import load_sample

    return load_sample().tickets[:400]
