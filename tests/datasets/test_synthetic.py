"""The synthetic generator: deterministic, valid, and shaped like real support data."""

from __future__ import annotations

import gzip
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import InvalidParameterError, csat
from cxmetrics.datasets import batch_to_tickets, generate, load_sample
from cxmetrics.datasets.sample import SAMPLE_SPEC, dump_jsonl_gz
from cxmetrics.tables.ticket_batch import TicketBatch


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = generate(500, seed=7), generate(500, seed=7), generate(500, seed=8)
    for column in ("created_at",):
        assert np.array_equal(getattr(a.tickets, column), getattr(b.tickets, column))
    assert np.array_equal(a.tickets.interactions.at, b.tickets.interactions.at)
    assert np.array_equal(a.surveys.score, b.surveys.score)
    assert not np.array_equal(a.tickets.created_at, c.tickets.created_at)


@settings(max_examples=20, deadline=None)
@given(
    st.integers(0, 300),
    st.integers(0, 2**31 - 1),
    st.sampled_from([None, 1, 2]),
    st.sampled_from(["UTC", "Europe/Amsterdam", "America/New_York", "Australia/Adelaide"]),
    st.none() | st.integers(1, 5),
)
def test_every_generated_ticket_passes_validation(
    n: int, seed: int, weeks: int | None, zone: str, n_customers: int | None
) -> None:
    data = generate(n, seed=seed, weeks=weeks, timezone=zone, n_customers=n_customers)
    tickets = batch_to_tickets(data.tickets)  # raises if any rule is broken
    assert len(tickets) == n
    # and the round trip through the batch keeps every event
    again = TicketBatch.from_tickets(tickets)
    assert np.array_equal(again.interactions.at, data.tickets.interactions.at)
    assert np.array_equal(again.status_changes["status"], data.tickets.status_changes["status"])
    assert np.array_equal(again.tags.offsets, data.tickets.tags.offsets)
    data.surveys.to_records()
    data.calls.to_records()
    data.customers.to_records()


def test_histories_are_sorted_within_each_ticket() -> None:
    batch = generate(2000, seed=1).tickets
    for table in (batch.interactions, batch.status_changes, batch.assignments):
        same_ticket = table.ticket[1:] == table.ticket[:-1]
        assert np.all(np.diff(table.at)[same_ticket] >= 0)


def test_weekdays_are_busier_than_weekends_in_the_team_timezone() -> None:
    data = generate(20_000, seed=2, timezone="America/New_York")
    zone = ZoneInfo("America/New_York")
    weekdays = np.array(
        [datetime.fromtimestamp(t, zone).weekday() for t in data.tickets.created_at]
    )
    per_day = np.bincount(weekdays, minlength=7)
    assert per_day[:5].min() > 2 * per_day[5:].max()
    hours = np.array([datetime.fromtimestamp(t, zone).hour for t in data.tickets.created_at])
    assert np.bincount(hours, minlength=24)[10] > 5 * np.bincount(hours, minlength=24)[3]


def test_phone_tickets_carry_calls_and_only_they_do() -> None:
    data = generate(3000, seed=3)
    batch = data.tickets
    phone = batch.channel.code_of("phone")
    call_rows = batch.interactions["kind"] == 1
    call_tickets = np.unique(batch.interactions.ticket[call_rows])
    assert np.array_equal(call_tickets, np.flatnonzero(batch.channel.codes == phone))
    assert len(data.calls) == call_tickets.size
    assert np.all(data.calls.talk[data.calls.abandoned] == 0)


def test_survey_answers_are_worse_after_long_waits() -> None:
    data = generate(20_000, seed=4)
    batch = data.tickets
    ix = batch.interactions
    agent_reply = (ix["author"] == 1) & ix["public"] & (ix["kind"] == 0)
    first = np.full(len(batch), np.nan)
    np.fmin.at(first, ix.ticket[agent_reply], ix.at[agent_reply])
    wait = first - batch.created_at
    index = {t: i for i, t in enumerate(batch.ids)}
    csat_rows = data.surveys.kind == "csat"
    waits = wait[[index[t] for t in data.surveys.ticket_id[csat_rows]]]
    scores = data.surveys.score[csat_rows]
    quick, slow = scores[waits < 3600], scores[waits > 8 * 3600]
    assert csat(quick) > csat(slow) + 0.05


def test_unresolved_and_reopened_tickets_exist() -> None:
    batch = generate(5000, seed=5).tickets
    statuses = np.bincount(batch.status, minlength=6)
    open_code, pending_code = 1, 2
    assert statuses[open_code] > 0.01 * len(batch)  # waiting on the team
    assert statuses[pending_code] > 0.01 * len(batch)  # waiting on the customer
    solved_code = 4
    solves = np.bincount(
        batch.status_changes.ticket[batch.status_changes["status"] == solved_code],
        minlength=len(batch),
    )
    assert (solves >= 2).mean() > 0.05  # reopened and solved again


def test_sample_is_the_generator_at_its_seed() -> None:
    sample = load_sample()
    fresh = generate(**SAMPLE_SPEC)
    # records compare field by field: every ticket with its whole history
    assert sample.tickets == fresh.ticket_records()
    assert sample.surveys == fresh.surveys.to_records()
    assert sample.calls == fresh.calls.to_records()
    assert sample.customers == fresh.customers.to_records()
    assert fresh.survey_sends is not None
    assert sample.survey_sends == fresh.survey_sends.to_records()
    assert sample.ticket_batch.interactions.at.tolist() == fresh.tickets.interactions.at.tolist()


def test_sample_files_are_byte_for_byte_reproducible(tmp_path: Path) -> None:
    data_dir = Path(__file__).resolve().parents[2] / "src" / "cxmetrics" / "datasets" / "data"
    fresh = generate(**SAMPLE_SPEC)
    records = {
        "tickets": fresh.ticket_records(),
        "surveys": fresh.surveys.to_records(),
        "calls": fresh.calls.to_records(),
        "customers": fresh.customers.to_records(),
    }
    for name, rows in records.items():
        dump_jsonl_gz(list(rows), tmp_path / f"{name}.jsonl.gz")
        written = (tmp_path / f"{name}.jsonl.gz").read_bytes()
        assert written == (data_dir / f"{name}.jsonl.gz").read_bytes(), name
    with gzip.open(data_dir / "tickets.jsonl.gz", "rt") as lines:
        assert sum(1 for _ in lines) == SAMPLE_SPEC["n_tickets"]
    assert sum(f.stat().st_size for f in data_dir.glob("*.jsonl.gz")) < 1_000_000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_tickets": -1}, "The 'n_tickets' parameter of generate must be zero or more. Got -1"),
        ({"n_tickets": 2.5}, "The 'n_tickets' parameter of generate must be an int. Got 2.5"),
        (
            {"start": datetime(2024, 1, 1)},
            "The 'start' parameter of generate must be a timezone-aware datetime",
        ),
        ({"weeks": 0}, "The 'weeks' parameter of generate must be a positive int or None"),
        ({"n_customers": 0}, "The 'n_customers' parameter of generate must be a positive int"),
        ({"timezone": "Mars/Olympus"}, "The 'timezone' parameter of generate must be an IANA"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    kwargs = {"n_tickets": 10, **kwargs}
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        generate(**kwargs)


def test_tickets_come_from_customers_active_at_the_time_and_carry_their_plan() -> None:
    data = generate(5000, seed=6, weeks=52)  # a long window: many joins and churns
    batch, customers = data.tickets, data.customers
    who = batch.customer_id.codes
    assert np.all(who >= 0)
    since, until = customers.since[who], customers.until[who]
    assert np.all(since <= batch.created_at)
    assert not np.any(until <= batch.created_at)
    assert batch.segment.to_list() == customers.segment[who].tolist()
    # a few customers write often: the busiest tenth opens far more than a tenth
    per_customer = np.sort(np.bincount(who, minlength=len(customers)))[::-1]
    assert per_customer[: len(customers) // 10].sum() > 0.3 * len(batch)


def test_customers_churn_at_about_two_and_a_half_percent_a_month() -> None:
    customers = generate(60_000, seed=7, weeks=52).customers
    month = 30 * 86400.0
    rates = []
    for k in range(12):
        t0 = customers.since.max() - (k + 2) * month
        active = (customers.since <= t0) & ~(customers.until <= t0)
        lost = active & (customers.until < t0 + month)
        rates.append(lost.sum() / active.sum())
    assert 0.02 < np.mean(rates) < 0.03
    assert 0.15 < np.mean(~np.isnan(customers.until)) < 0.45  # churn ~26 % overall


def test_window_defaults() -> None:
    # Amsterdam's midnight is 23:00 UTC the day before: still nothing before start
    data = generate(2000, seed=0, start=datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert (data.end - data.start).days == 28
    created = data.tickets.created_at
    assert data.start.timestamp() <= created.min() and created.max() < data.end.timestamp()


def test_nothing_happens_after_the_export_and_late_tickets_are_still_open() -> None:
    data = generate(3000, seed=8)
    batch, end = data.tickets, data.end.timestamp()
    for table in (batch.interactions, batch.status_changes, batch.assignments):
        assert table.at.max() <= end
    assert data.surveys.responded_at.max() <= end
    late = batch.created_at > end - 86400
    done = np.isin(batch.status, [4, 5])  # solved, closed
    assert done[~late].mean() > 0.8 > done[late].mean()


def test_after_a_transfer_the_new_agent_replies() -> None:
    batch = generate(3000, seed=9).tickets
    moves = batch.assignments
    transferred = np.flatnonzero(moves.counts == 2)
    assert transferred.size > 0.1 * len(batch)
    ix = batch.interactions
    replies = (ix["author"] == 1) & (ix["kind"] == 0)
    for t in transferred[:200]:
        moved_at = moves.at[moves.offsets[t] + 1]
        new_agent = moves["agent_id"].codes[moves.offsets[t] + 1]
        rows = np.arange(ix.offsets[t], ix.offsets[t + 1])
        later = rows[replies[rows] & (ix.at[rows] >= moved_at)]
        assert np.all(ix["agent_id"].codes[later] == new_agent)
        assert batch.agent_id.codes[t] == new_agent


def test_who_opened_the_ticket_wrote_its_first_message() -> None:
    batch = generate(3000, seed=10).tickets
    ix = batch.interactions
    first = ix.offsets[:-1]
    opener = np.array(["customer", "agent", "system"])[batch.created_by]
    author = np.array(["customer", "agent", "bot", "system"])[ix["author"][first]]
    assert np.array_equal(author, opener)
    assert np.all(ix["automated"][first] == (opener == "system"))


@pytest.mark.parametrize("seed", [1, 8])
def test_generated_tables_feed_metrics_and_report_as_their_records_do(seed: int) -> None:
    from cxmetrics import aht, average_customer_lifetime, ces, csat, nps, service_level
    from cxmetrics.reporting import report
    from cxmetrics.tables.schema import records_to_table

    data = generate(600, seed=seed)
    answers = data.surveys.to_records()
    for metric, kind in ((csat, "csat"), (nps, "nps"), (ces, "ces")):
        assert metric(data.surveys) == metric([a for a in answers if a.kind == kind])
    calls = data.calls.to_records()
    assert aht(data.calls) == aht(calls)
    assert service_level(data.calls) == service_level(calls)
    as_of = data.end
    lifetimes = data.customers.to_records()
    assert average_customer_lifetime(data.customers, as_of=as_of) == average_customer_lifetime(
        lifetimes, as_of=as_of
    )
    # The columns are those records_to_table builds from the records.
    for table, records in ((data.surveys, answers), (data.calls, calls)):
        ours, theirs = table.to_table(), records_to_table(table.to_table().kind, records)
        assert sorted(ours.columns) == sorted(theirs.columns)
        for name, column in theirs.columns.items():
            if name != "ticket_id":  # a Call record has no ticket: the table knows it
                assert ours[name].tolist() == column.tolist(), name
    direct = report(surveys=data.surveys, calls=data.calls, period="week")
    via_records = report(surveys=answers, calls=calls, period="week")
    assert [(r.metric, r.period, r.value) for r in direct.rows] == [
        (r.metric, r.period, r.value) for r in via_records.rows
    ]
