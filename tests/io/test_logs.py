"""Event-log and message-log loaders: hand examples, and the real logs against slow oracles."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics import RecordValidationError
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io.logs import _message_roots, read_event_log, read_message_log
from cxmetrics.tables.schema import Collected
from cxmetrics.tickets import ticket_metrics

pa = pytest.importorskip("pyarrow")

SERVICENOW_STATUSES = {
    "New": "new",
    "Active": "open",
    "Awaiting User Info": "pending",
    "Awaiting Evidence": "pending",
    "Awaiting Vendor": "on_hold",
    "Awaiting Problem": "on_hold",
    "Resolved": "solved",
    "Closed": "closed",
}
BPIC_STATUSES: dict[str, str | None] = {
    "Awaiting Assignment": "new",
    "In Progress": "open",
    "Assigned": "open",
    "Wait": "pending",
    "Wait - User": "pending",
    "Wait - Customer": "pending",
    "Wait - Vendor": "on_hold",
    "Wait - Implementation": "on_hold",
    "Resolved": "solved",
    "In Call": "solved",
    "Closed": "closed",
    "Cancelled": "closed",
    "Unmatched": None,
}


def _log() -> Any:
    return pa.table(
        {
            "case": ["A", "A", "B", "A", "A", "B"],
            "time": ["2024-03-04 09:00", "2024-03-04 09:00", "2024-03-04 10:00",
                     "2024-03-04 12:00", "2024-03-04 13:00", "2024-03-04 10:30"],
            "state": ["Reg", "Work", "Reg", "Done", "Work", "Note"],
            "who": [None, "ann", None, "ann", "bob", "cid"],
        }
    )  # fmt: skip


def test_event_log_by_hand() -> None:
    batch = read_event_log(
        _log(), case="case", timestamp="time", status="state", actor="who",
        status_map={"Reg": "new", "Work": "open", "Done": "solved", "Note": None},
        timestamp_format="%Y-%m-%d %H:%M", timezone="Europe/Brussels",
    )  # fmt: skip
    assert batch.ids.tolist() == ["A", "B"]
    # Same-minute rows keep file order: Reg then Work; Work -> Done -> Work is a reopen.
    assert batch.status_changes["status"].tolist() == [0, 1, 4, 1, 0]
    assert batch.status.tolist() == [1, 0]
    assert batch.agent_id.to_list() == ["bob", "cid"]
    assert batch.assignments.counts.tolist() == [2, 1]
    start = datetime(2024, 3, 4, 8, tzinfo=timezone.utc)  # 09:00 in Brussels (UTC+1)
    assert batch.created_at.tolist() == [
        start.timestamp(),
        (start + timedelta(hours=1)).timestamp(),
    ]
    table = ticket_metrics(batch)
    assert table["first_resolution"].tolist()[0] == 3 * 3600.0
    assert table["reopens"].tolist() == [1, 0]


def test_unmapped_statuses_are_never_dropped() -> None:
    with pytest.raises(RecordValidationError, match="'Note' is not mapped") as caught:
        read_event_log(
            _log(), case="case", timestamp="time", status="state", timezone="UTC",
            status_map={"Reg": "new", "Work": "open", "Done": "solved"},
        )  # fmt: skip
    assert [e["position"] for e in caught.value.errors] == [5]
    result = read_event_log(
        _log(), case="case", timestamp="time", status="state", timezone="UTC",
        status_map={"Reg": "new", "Work": "open", "Done": "solved"}, errors="collect",
    )  # fmt: skip
    assert isinstance(result, Collected)
    assert result.data.ids.tolist() == ["A"]  # B has the bad row: left out whole
    with pytest.raises(InvalidParameterError, match="not one of new, open"):
        read_event_log(_log(), case="case", timestamp="time", status="state",
                       timezone="UTC", status_map={"Reg": "fresh"})  # fmt: skip


def test_naive_log_times_need_a_timezone() -> None:
    with pytest.raises(RecordValidationError, match="naive"):
        read_event_log(
            _log(), case="case", timestamp="time", status="state",
            status_map={"Reg": "new", "Work": "open", "Done": "solved", "Note": None},
        )  # fmt: skip


def test_message_log_by_hand() -> None:
    log = pa.table(
        {
            "conv": ["x", "x", "y", "x", "y"],
            "role": ["user", "agent", "agent", "user", "bot"],
            "at": ["2024-03-04T09:00:00Z", "2024-03-04T09:10:00Z", "2024-03-04T09:00:00Z",
                   "2024-03-04T09:20:00Z", "2024-03-04T09:01:00Z"],
            "name": ["u1", "a1", "a2", "u1", "helper"],
        }
    )  # fmt: skip
    batch = read_message_log(
        log, conversation="conv", role="role", agent="name", customer="name",
        role_map={"user": "customer", "agent": "agent", "bot": "bot"}, channel="chat",
    )  # fmt: skip
    assert batch.ids.tolist() == ["x", "y"]
    assert batch.created_by.tolist() == [0, 1]  # y was opened by an agent
    assert batch.agent_id.to_list() == ["a1", "a2"]
    assert batch.customer_id.to_list() == ["u1", None]
    assert ticket_metrics(batch)["first_reply"].tolist()[0] == 600.0


def _thread_with_a_cycle(length: int) -> Any:
    """A clean thread a <- b, and ``length`` messages c0 <- c1 <- ... <- c0 in a ring.

    One more message, d, replies to c0: it descends from the cycle, so it has no
    root either.
    """
    ring = [f"c{i}" for i in range(length)]
    ids = ["a", "b", *ring, "d"]
    parents = [None, "a", *[ring[(i + 1) % length] for i in range(length)], "c0"]
    minutes = range(len(ids))
    return pa.table(
        {
            "id": ids,
            "parent": parents,
            "inbound": ["True", "False", *["True"] * length, "False"],
            "at": [f"2024-03-04T09:{m:02d}:00Z" for m in minutes],
        }
    )


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5])
def test_reply_cycles_of_every_length_are_reported(length: int) -> None:
    options: dict[str, Any] = {
        "message_id": "id",
        "reply_to": "parent",
        "role": "inbound",
        "role_map": {"True": "customer", "False": "agent"},
    }
    log = _thread_with_a_cycle(length)
    with pytest.raises(RecordValidationError, match="cycle"):
        read_message_log(log, **options)
    result = read_message_log(log, errors="collect", **options)
    assert isinstance(result, Collected)
    # Only the clean thread is a ticket; every message of the ring, and d, is a problem.
    assert result.data.ids.tolist() == ["a"]
    assert result.data.interactions.counts.tolist() == [2]
    assert [(e["id"], e["type"]) for e in result.errors] == [
        *[(f"c{i}", "reply_cycle") for i in range(length)],
        ("d", "reply_cycle"),
    ]


def _roots_by_walking(parent: list[int]) -> tuple[list[int], list[bool]]:
    """Each row's root by following parents one step at a time (a slow oracle)."""
    roots, cyclic = [], []
    for row in range(len(parent)):
        seen, at = {row}, row
        while parent[at] >= 0 and parent[at] not in seen:
            at = parent[at]
            seen.add(at)
        looped = parent[at] >= 0
        roots.append(at)
        cyclic.append(looped)
    return roots, cyclic


@given(st.lists(st.integers(-1, 30), min_size=1, max_size=60).map(
    lambda links: [link if link < len(links) else -1 for link in links]
))  # fmt: skip
def test_message_roots_match_walking_the_replies(parent: list[int]) -> None:
    root, cyclic = _message_roots(np.array(parent, dtype=np.int64))
    roots, looped = _roots_by_walking(parent)
    assert cyclic.tolist() == looped
    # Outside cycles the root is the thread's first message; in one, no root exists.
    rooted = ~np.array(looped, dtype=bool)
    assert root[rooted].tolist() == np.array(roots, dtype=np.int64)[rooted].tolist()


def test_long_reply_chains_reach_their_root() -> None:
    # A chain of 5,000 replies: log2 rounds of pointer jumping, no cycle.
    n = 5000
    parent = np.arange(-1, n - 1, dtype=np.int64)
    root, cyclic = _message_roots(parent)
    assert not cyclic.any()
    assert (root == 0).all()
    parent[0] = n - 1  # close it into a ring of 5,000
    _, cyclic = _message_roots(parent)
    assert cyclic.all()


# --- real logs -------------------------------------------------------------------------


@pytest.mark.realdata
def test_servicenow_log_against_an_oracle(shared_data: Path) -> None:
    path = shared_data / "uci_servicenow_incident_log" / "incident_event_log.csv"
    result = read_event_log(
        path, case="number", timestamp="sys_updated_at", status="ident_state",
        actor="assigned_to", created_at="opened_at", timestamp_format="%d/%m/%Y %H:%M",
        timezone="UTC", null_values=("", "?"), status_map=SERVICENOW_STATUSES,
        ticket_columns={"channel": "contact_type", "priority": "priority"},
        value_maps={"priority": {"1": "urgent", "2": "high", "3": "normal", "4": "low"}},
        errors="collect",
    )  # fmt: skip
    kinds = defaultdict(set)
    for problem in result.errors:
        kinds[problem["type"]].add(problem["id"])
    # The README's quirks: 5 rows with state -100; some incidents leave Closed.
    assert sum(1 for p in result.errors if p["type"] == "unknown_status") == 5
    bad = set().union(*kinds.values())
    assert len(result.data) == 24918 - len(bad)

    # Oracle: per incident, first Resolved time minus min(opened_at, first event).
    events: dict[str, list[tuple[datetime, int, str, datetime]]] = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as handle:
        for row_number, row in enumerate(csv.DictReader(handle)):
            when = datetime.strptime(row["sys_updated_at"], "%d/%m/%Y %H:%M")  # noqa: DTZ007 - UTC wall clock
            opened = datetime.strptime(row["opened_at"], "%d/%m/%Y %H:%M")  # noqa: DTZ007 - UTC wall clock
            events[row["number"]].append((when, row_number, row["ident_state"], opened))
    expected = {}
    for number, rows in events.items():
        rows.sort()
        start = min(rows[0][0], min(r[3] for r in rows))
        solved = next((r[0] for r in rows if r[2] in ("Resolved", "Closed")), None)
        expected[number] = np.nan if solved is None else (solved - start).total_seconds()
    table = ticket_metrics(result.data)
    ours = dict(zip(table["id"].tolist(), table["first_resolution"].tolist(), strict=True))
    assert len(ours) == len(result.data)
    mismatched = [k for k, v in ours.items() if not np.isclose(v, expected[k], equal_nan=True)]
    assert mismatched == []


@pytest.mark.realdata
def test_bpic2013_log(shared_data: Path) -> None:
    path = shared_data / "bpic2013_volvo_incidents" / "VINST-new.csv"
    result = read_event_log(
        path, case="SR Number", timestamp="Change Date+Time", status="Sub Status",
        actor="Resource", status_map=BPIC_STATUSES, errors="collect",
        ticket_columns={"priority": "SR Latest Impact"},
        value_maps={"priority": {"Low": "low", "Medium": "normal", "High": "high",
                                 "Major": "urgent"}},
    )  # fmt: skip
    bad = {p["id"] for p in result.errors}
    assert {p["type"] for p in result.errors} == {"invalid_status_sequence"}
    assert len(result.data) == 7554 - len(bad)
    # Oracle on the file: every incident's creation is its earliest event.
    first: dict[str, datetime] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            when = datetime.fromisoformat(row["Change Date+Time"])
            number = row["SR Number"]
            first[number] = min(first.get(number, when), when)
    created = dict(zip(result.data.ids.tolist(), result.data.created_at.tolist(), strict=True))
    assert all(created[k] == first[k].timestamp() for k in created)


def _twitter_oracle(path: Path) -> dict[str, float]:
    """First brand reply minus the thread's first tweet, following reply links by hand."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    tweets = {}
    for row in rows:
        parent = row["in_response_to_tweet_id"].removesuffix(".0") or None
        when = datetime.strptime(row["created_at"], "%a %b %d %H:%M:%S %z %Y")
        tweets[row["tweet_id"]] = (parent, when, row["inbound"] == "True")
    threads: dict[str, list[tuple[datetime, bool]]] = defaultdict(list)
    for tweet, (parent, when, inbound) in tweets.items():
        root = tweet
        while parent is not None and parent in tweets:
            root, parent = parent, tweets[parent][0]
        threads[root].append((when, inbound))
    out = {}
    for root, items in threads.items():
        items.sort()
        start = items[0][0]
        if not items[0][1]:
            out[root] = np.nan  # opened by the brand: no first reply to measure
            continue
        reply = next((w for w, inbound in items if not inbound), None)
        out[root] = np.nan if reply is None else (reply - start).total_seconds()
    return out


@pytest.mark.realdata
def test_twitter_threads_against_an_oracle(shared_data: Path) -> None:
    path = shared_data / "twcs_customer_support_twitter" / "sample.csv"
    batch = read_message_log(
        path, message_id="tweet_id", reply_to="in_response_to_tweet_id",
        timestamp="created_at", timestamp_format="%a %b %d %H:%M:%S %z %Y", role="inbound",
        role_map={"True": "customer", "False": "agent"}, agent="author_id", channel="social",
    )  # fmt: skip
    expected = _twitter_oracle(path)
    assert sorted(batch.ids.tolist()) == sorted(expected)
    table = ticket_metrics(batch)
    ours = dict(zip(table["id"].tolist(), table["first_reply"].tolist(), strict=True))
    for key, value in expected.items():
        if not np.isnan(value):
            assert ours[key] == value, key


@pytest.mark.realdata
def test_twitter_malformed_line_is_reported(shared_data: Path) -> None:
    path = shared_data / "twcs_customer_support_twitter" / "twcs_head5000.csv"
    options: dict[str, Any] = {
        "message_id": "tweet_id", "reply_to": "in_response_to_tweet_id",
        "timestamp": "created_at", "timestamp_format": "%a %b %d %H:%M:%S %z %Y",
        "role": "inbound", "role_map": {"True": "customer", "False": "agent"},
    }  # fmt: skip
    with pytest.raises(RecordValidationError, match="cannot be read") as caught:
        read_message_log(path, **options)
    assert {e["type"] for e in caught.value.errors} == {"malformed_row"}
    result = read_message_log(path, errors="collect", **options)
    assert len(result.errors) == 2  # tweet 3399's line, split by its bare carriage returns
    assert "3399" in str(result.errors[0]["input"])
    assert len(result.data.interactions) == 4999


def test_event_log_actor_column_naming_no_one() -> None:
    """Issue 13 (b): an actor column with no name in any kept row gives no agent."""
    log = pa.table({"case": ["A", "A"], "time": ["2024-03-04T09:00:00Z", "2024-03-04T10:00:00Z"],
                    "state": ["new", "solved"], "who": [None, None]})  # fmt: skip
    batch = read_event_log(log, case="case", timestamp="time", status="state", actor="who")
    assert batch.ids.tolist() == ["A"]
    assert batch.agent_id.to_list() == [None]
