"""The evaluator's shortcuts against the general computations they skip.

``evaluate_sla`` lays timelines out without sorting when histories are in time
order, finds first replies without merging the event stream, reads resolution
pieces straight off the timeline, packs (group, time) sort keys into integers and
adds whole seconds with one cumulative sum. Each shortcut must give exactly
(bitwise) what the general path gives; these tests switch the shortcuts off and
compare, and check the building blocks against plain Python oracles.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cxmetrics import Message, PriorityChange, StatusChange, Ticket
from cxmetrics.sla import _grouping, _pieces, _priority, _timeline, evaluate
from cxmetrics.sla._grouping import group_time_order, rank_in_group, segmented_cumsum
from cxmetrics.sla._instances import first_reply_instances
from cxmetrics.sla._stream import build_stream, reply_instances, update_instances
from cxmetrics.sla._timeline import build_timeline
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.policy import SlaPolicy, SlaPolicySet, SlaTarget
from cxmetrics.tables.ticket_batch import TicketBatch

from tests.sla.fakes import WeekdayHours
from tests.sla.strategies import T0, policies, ticket_lists

CALENDARS = st.sampled_from([None, WeekdayHours()])
AS_OF = st.integers(0, 200).map(lambda h: (T0 + timedelta(hours=h)).timestamp())


@contextlib.contextmanager
def general_paths() -> Iterator[None]:
    """Switch every shortcut off: sorts, the merged stream, per-instance pieces, rank sums."""

    def segment_pieces(ctx, inst, m, end):
        return _pieces._segment_pieces(ctx, inst, m, ctx.policy_of[inst.ticket], end)

    def rank_sums(values, offsets):
        return segmented_cumsum(values, rank_in_group(offsets, values.size))

    patches = [
        mock.patch.object(_grouping, "_packed_keys", lambda *pairs: None),
        mock.patch.object(_timeline, "sorted_within_groups", lambda group, at: False),
        mock.patch.object(_priority, "sorted_within_groups", lambda group, at: False),
        mock.patch.object(evaluate, "first_reply_instances", lambda *args, **kwargs: None),
        mock.patch.object(_pieces, "_ticket_pieces", segment_pieces),
        mock.patch.object(_pieces, "_running_sums", rank_sums),
    ]
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        yield


def _columns(out) -> dict[str, np.ndarray]:
    return {name: out[name] for name in out.columns}


def _assert_identical(fast, slow) -> None:
    a, b = _columns(fast), _columns(slow)
    assert a.keys() == b.keys()
    for name in a:
        x, y = np.asarray(a[name]), np.asarray(b[name])
        assert x.dtype == y.dtype, name
        if x.dtype.kind == "f":
            assert np.array_equal(x, y, equal_nan=True), name
        else:
            assert x.tolist() == y.tolist(), name


@settings(max_examples=80)
@given(tickets=ticket_lists(), calendar=CALENDARS, data=st.data(), as_of=AS_OF)
def test_shortcuts_give_what_the_general_paths_give(tickets, calendar, data, as_of):
    policy = data.draw(policies(calendar=calendar))
    when = datetime.fromtimestamp(as_of, tz=timezone.utc)
    fast = evaluate_sla(tickets, policy, as_of=when)
    with general_paths():
        slow = evaluate_sla(tickets, policy, as_of=when)
    _assert_identical(fast, slow)


@settings(max_examples=40)
@given(tickets=ticket_lists(), data=st.data(), as_of=AS_OF)
def test_shortcuts_with_policy_sets(tickets, data, as_of):
    rules = SlaPolicySet(
        policies=[
            data.draw(policies(calendar=WeekdayHours(), name="chat")).when(channel="chat"),
            data.draw(policies(calendar=None, name="rest")),
        ]
    )
    when = datetime.fromtimestamp(as_of, tz=timezone.utc)
    fast = evaluate_sla(tickets, rules, as_of=when)
    with general_paths():
        slow = evaluate_sla(tickets, rules, as_of=when)
    _assert_identical(fast, slow)


@settings(max_examples=80)
@given(tickets=ticket_lists(), as_of=AS_OF)
def test_first_replies_without_the_stream_are_the_streams(tickets, as_of):
    batch = TicketBatch.from_tickets(tickets)
    timeline = build_timeline(batch, as_of)
    assert timeline.from_creation
    alive = batch.created_at <= as_of
    fast = first_reply_instances(batch, timeline, as_of, alive, exact=True)
    assert fast is not None
    slow = reply_instances(build_stream(batch, timeline, as_of, alive, every_segment=True))[0]
    for name in ("ticket", "start", "end", "how", "first_segment", "last_segment"):
        x, y = getattr(fast, name), getattr(slow, name)
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name


@settings(max_examples=80)
@given(tickets=ticket_lists(), as_of=AS_OF)
def test_updates_from_the_short_stream_look_up_the_streams_segments(tickets, as_of):
    batch = TicketBatch.from_tickets(tickets)
    timeline = build_timeline(batch, as_of)
    alive = batch.created_at <= as_of
    short = build_stream(batch, timeline, as_of, alive, every_segment=False)
    full = build_stream(batch, timeline, as_of, alive, every_segment=True)
    fast, slow = update_instances(short, exact=True), update_instances(full)
    for name in ("ticket", "start", "end", "how", "first_segment", "last_segment"):
        x, y = getattr(fast, name), getattr(slow, name)
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name


def _timeline_oracle(batch: TicketBatch, as_of: float) -> list[tuple[int, float, int]]:
    """Each ticket's creation then its known changes, sorted by time (creation first on ties)."""
    rows = []
    changes = batch.status_changes
    for t in range(len(batch)):
        own = [(float(batch.created_at[t]), 0, 0)]
        for j in range(int(changes.offsets[t]), int(changes.offsets[t + 1])):
            if changes.at[j] <= as_of:
                own.append((float(changes.at[j]), 1, int(changes["status"][j])))
        own.sort(key=lambda r: (r[0], r[1]))
        rows += [(t, at, status) for at, _, status in own]
    return rows


def test_histories_before_creation_take_the_sorting_path():
    t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    tickets = [
        Ticket(
            id="a",
            created_at=t0,
            status_changes=[
                StatusChange(at=t0.replace(hour=10), status="pending"),
                StatusChange(at=t0.replace(hour=12), status="solved"),
            ],
            interactions=[Message(at=t0.replace(hour=11), author="agent")],
        ),
        Ticket(id="b", created_at=t0, interactions=[Message(at=t0, author="agent")]),
    ]
    batch = TicketBatch.from_tickets(tickets)
    # Loaders validate this away; a hand-made batch may still say it. Ticket a
    # now "starts" after its first change and its reply, so no shortcut applies.
    late = batch.with_(created_at=batch.created_at + np.array([7200.0, 0.0]))
    as_of = (t0 + timedelta(days=1)).timestamp()
    timeline = build_timeline(late, as_of)
    assert not timeline.from_creation
    expected = _timeline_oracle(late, as_of)
    got = list(
        zip(
            timeline.ticket.tolist(), timeline.start.tolist(), timeline.status.tolist(), strict=True
        )
    )
    assert got == expected
    assert first_reply_instances(late, timeline, as_of, np.ones(2, bool)) is None
    policy = SlaPolicy("p", None, [SlaTarget("first_reply", 3600), SlaTarget("resolution", 86400)])
    when = datetime.fromtimestamp(as_of, tz=timezone.utc)
    with general_paths():
        slow = evaluate_sla(late, policy, as_of=when)
    _assert_identical(evaluate_sla(late, policy, as_of=when), slow)


_INSTANTS = st.one_of(
    st.integers(-(10**6), 10**6).map(float),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([np.inf, -np.inf, 0.5, 2.0**60]),
)


@given(rows=st.lists(st.tuples(st.integers(0, 5), _INSTANTS), max_size=40), whole=st.booleans())
def test_group_time_order_is_a_stable_sort(rows, whole):
    group = np.array([g for g, _ in rows], dtype=np.int64)
    at = np.array([np.floor(a) if whole and np.isfinite(a) else a for _, a in rows], dtype=float)
    expected = sorted(range(len(rows)), key=lambda i: (group[i], at[i]))
    assert group_time_order(group, at).tolist() == expected


_DURATIONS = st.one_of(st.integers(0, 10**7).map(float), st.floats(0, 1e7), st.just(0.1))


@given(groups=st.lists(st.lists(_DURATIONS, max_size=6), max_size=12))
def test_running_sums_are_sequential_sums(groups):
    values = np.array([v for g in groups for v in g], dtype=float)
    offsets = np.cumsum([0, *map(len, groups)]).astype(np.int64)
    before, through = _pieces._running_sums(values, offsets)
    expected_before, expected_through = [], []
    for g in groups:
        total = 0.0
        for v in g:
            expected_before.append(total)
            total = total + v
            expected_through.append(total)
    assert before.tolist() == expected_before
    assert through.tolist() == expected_through


def test_simultaneous_priority_changes_only_the_last_applies():
    # High for no time at 09:15 (changed on to low in the same instant): the
    # high-only target never applies, and does not carry over to low.
    t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    ticket = Ticket(
        id="T",
        created_at=t0,
        priority_changes=[
            PriorityChange(at=t0, priority="low"),
            PriorityChange(at=t0 + timedelta(minutes=15), priority="high"),
            PriorityChange(at=t0 + timedelta(minutes=15), priority="low"),
        ],
    )
    policy = SlaPolicy("p", None, [SlaTarget("first_reply", 1800, "high")])
    out = evaluate_sla([ticket], policy, as_of=t0 + timedelta(hours=1))
    assert out["status"].tolist() == ["no_target"]
    # With a target for low too, low's applies throughout: due at 09:30.
    both = SlaPolicy(
        "p", None, [SlaTarget("first_reply", 1800, "high"), SlaTarget("first_reply", 1800, "low")]
    )
    row = evaluate_sla([ticket], both, as_of=t0 + timedelta(hours=1)).to_dict()
    assert row["status"] == ["breached"]
    assert row["due_at"] == [t0 + timedelta(minutes=30)]


def test_ties_at_one_instant_resolve_as_the_stream_orders_them():
    # Status changes apply before messages, customer messages before agent replies.
    t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    noon = t0.replace(hour=12)
    solved_and_replied = Ticket(
        id="solve-first",
        created_at=t0,
        status_changes=[StatusChange(at=noon, status="solved")],
        interactions=[Message(at=noon, author="agent")],
    )
    replied_at_creation = Ticket(
        id="reply-at-creation", created_at=t0, interactions=[Message(at=t0, author="agent")]
    )
    solved_at_creation = Ticket(
        id="solved-at-creation",
        created_at=t0,
        status_changes=[StatusChange(at=t0, status="solved")],
        interactions=[Message(at=noon, author="agent")],
    )
    reopened_at_creation = Ticket(
        id="reopened-at-creation",
        created_at=t0,
        status_changes=[
            StatusChange(at=t0, status="solved"),
            StatusChange(at=t0, status="open"),
        ],
        interactions=[Message(at=noon, author="agent")],
    )
    tickets = [solved_and_replied, replied_at_creation, solved_at_creation, reopened_at_creation]
    policy = SlaPolicy("p", None, [SlaTarget("first_reply", 3600)])
    as_of = t0 + timedelta(days=1)
    out = evaluate_sla(tickets, policy, as_of=as_of)
    rows = {
        ticket_id: (status, completion)
        for ticket_id, status, completion in zip(
            out["ticket_id"], out["status"], out["completion"], strict=True
        )
    }
    assert rows == {
        "solve-first": ("breached", "solve"),
        "reply-at-creation": ("achieved", "reply"),
        "solved-at-creation": ("no_target", None),
        "reopened-at-creation": ("breached", "reply"),
    }
    with general_paths():
        slow = evaluate_sla(tickets, policy, as_of=as_of)
    _assert_identical(out, slow)


def test_a_reply_before_creation_at_the_head_of_the_stream():
    # A hand-made batch whose first ticket has a reply before its creation: the
    # merged stream then opens with a message, before any status row.
    t0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)
    tickets = [
        Ticket(id="b", created_at=t0, interactions=[Message(at=t0, author="agent")]),
        Ticket(
            id="c", created_at=t0, interactions=[Message(at=t0.replace(hour=10), author="agent")]
        ),
    ]
    batch = TicketBatch.from_tickets(tickets)
    late = batch.with_(created_at=batch.created_at + np.array([3600.0, 0.0]))
    policy = SlaPolicy("p", None, [SlaTarget("first_reply", 3600), SlaTarget("next_reply", 3600)])
    when = t0 + timedelta(days=1)
    out = evaluate_sla(late, policy, as_of=when)
    # Ticket c is untouched: created 09:00, first reply at 10:00, within the hour.
    rows = out.to_dict()
    c = rows["ticket_id"].index("c")
    assert (rows["metric"][c], rows["status"][c]) == ("first_reply", "achieved")
    with general_paths():
        slow = evaluate_sla(late, policy, as_of=when)
    _assert_identical(out, slow)
