"""dbt_zendesk's per-ticket columns are deferred: computed on first read, once, and only then."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pytest

from cxmetrics import BusinessCalendar, report
from cxmetrics.datasets import generate
from cxmetrics.metrics import fcr_rate, first_response_time, reopen_rate, resolution_time
from cxmetrics.tables.ticket_batch import TicketBatch
from cxmetrics.tickets import batch_table, ticket_metrics
from cxmetrics.tickets.subsets import select_measures
from cxmetrics.tickets.table import DeferredColumns, LazyColumns, TicketTable

CALENDAR = BusinessCalendar("Europe/Berlin", {"mon-fri": "09:00-17:00"})
DEFERRED = {
    "new_status", "open_status", "agent_work", "solve_time", "total_reply",
    "public_comments", "internal_comments", "agent_comments", "customer_comments", "handoffs",
    "one_touch", "two_touch", "multi_touch", "first_assignee", "last_assignee",
    "first_assigned_at", "last_assigned_at", "unique_assignees", "unassigned",
    "first_assignment_to_resolution", "last_assignment_to_resolution",
}  # fmt: skip
TIMED = {"new_status", "open_status", "agent_work", "solve_time", "total_reply", "unassigned",
         "first_assignment_to_resolution", "last_assignment_to_resolution"}  # fmt: skip
# The report's ticket metrics that were there before the deferred columns: none reads them.
HOT_METRICS = [
    "fcr", "first_response_time", "next_response_time", "average_response_time",
    "resolution_time", "requester_wait_time", "resolution_rate", "reopen_rate",
    "interactions_per_ticket", "transfer_rate", "ticket_volume", "channel_mix",
]  # fmt: skip


@pytest.fixture(scope="module")
def batch() -> TicketBatch:
    return generate(300, seed=5).tickets


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times each deferred kernel ran."""
    counts: dict[str, int] = {}
    for name in ("comment_counts", "touch_flags", "assignee_columns", "total_per_ticket"):
        kernel = getattr(batch_table, name)

        def counted(*args: Any, _kernel: Callable[..., Any] = kernel, _name: str = name) -> Any:
            counts[_name] = counts.get(_name, 0) + 1
            return _kernel(*args)

        monkeypatch.setattr(batch_table, name, counted)
    return counts


def lazy(table: TicketTable) -> LazyColumns:
    assert isinstance(table.columns, LazyColumns)
    return table.columns


def computed(table: TicketTable) -> set[str]:
    return {name for group in lazy(table).deferred if group.computed for name in group.names}


@pytest.mark.parametrize("calendar", [None, CALENDAR])
def test_reading_the_hot_columns_computes_no_deferred_group(
    batch: TicketBatch, calendar: Any, calls: dict[str, int]
) -> None:
    table = ticket_metrics(batch, calendar)
    deferred = DEFERRED | (
        {f"{name}_business" for name in TIMED} if calendar is not None else set()
    )
    assert {name for group in lazy(table).deferred for name in group.names} == deferred
    for name in ("id", "fcr", "replies", "reopens", "resolved", "created_at", "resolved_at"):
        table[name]
    for name in ("first_reply", "full_resolution", "requester_wait", "next_reply_mean"):
        table.duration(name)
    assert set(table.names) >= deferred and "two_touch" in table and len(table) == len(batch)
    assert calls == {} and computed(table) == set()


@pytest.mark.parametrize("calendar", [None, CALENDAR])
def test_the_hot_metrics_compute_no_deferred_group(batch: TicketBatch, calendar: Any) -> None:
    table = ticket_metrics(batch, calendar)
    fcr_rate(table)
    first_response_time(table, calendar=calendar)
    resolution_time(table, calendar=calendar)
    reopen_rate(table)
    assert computed(table) == set()


def test_a_group_is_computed_once_on_the_first_read_of_one_of_its_columns(
    batch: TicketBatch, calls: dict[str, int]
) -> None:
    table = ticket_metrics(batch, CALENDAR)
    table["handoffs"]
    assert calls == {"comment_counts": 1}
    assert computed(table) == {
        "public_comments", "internal_comments", "agent_comments", "customer_comments", "handoffs"
    }  # fmt: skip
    table["public_comments"], table["handoffs"]
    table["total_reply_business"]
    assert calls == {"comment_counts": 1, "total_per_ticket": 2}  # one run: both clocks
    assert {"total_reply", "total_reply_business"} <= computed(table)
    table.to_dict()
    assert all(group.computed for group in lazy(table).deferred)
    assert calls == {"comment_counts": 1, "total_per_ticket": 2, "touch_flags": 1,
                     "assignee_columns": 1}  # fmt: skip


def test_exports_list_and_compute_every_column_in_order(batch: TicketBatch) -> None:
    table = ticket_metrics(batch, CALENDAR)
    names = table.names
    exported = table.to_dict()
    assert tuple(exported) == names and computed(table) >= DEFERRED
    assert pickle.loads(pickle.dumps(table.columns)).keys() == set(names)


def test_subsets_and_ages_share_the_deferred_groups(batch: TicketBatch) -> None:
    whole = ticket_metrics(batch, CALENDAR)
    positions = np.array([5, 1, 42], dtype=np.int64)
    part = select_measures(whole, positions)
    aged = ticket_metrics(batch, CALENDAR, as_of=datetime(2031, 1, 1, tzinfo=timezone.utc))
    assert part.names == whole.names and computed(whole) == set()
    assert aged.names[: len(whole.names)] == whole.names and computed(aged) == set()
    assert part["unassigned_business"].tolist() == whole["unassigned_business"][positions].tolist()
    assert "unassigned_business" in computed(whole)  # read once on the whole, then cut
    with_ages = select_measures(whole, positions)
    extended = with_ages.extended_columns({"x": np.zeros(3)})
    assert list(extended)[-1] == "x" and extended["agent_work"].shape == (3,)


def test_the_report_s_ticket_metrics_compute_no_deferred_group(
    batch: TicketBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    groups: list[DeferredColumns] = []
    init = DeferredColumns.__init__

    def recorded(self: DeferredColumns, *args: Any) -> None:
        init(self, *args)
        groups.append(self)

    monkeypatch.setattr(DeferredColumns, "__init__", recorded)
    result = report(
        tickets=batch, metrics=HOT_METRICS, calendar=CALENDAR, period="week", by="channel"
    )
    assert result.rows and groups
    assert [group for group in groups if group.computed] == []
    # The default report runs two_touch_rate and unassigned_time too: just their groups.
    groups.clear()
    report(tickets=batch, calendar=CALENDAR, period="week")
    assert {group.names[0] for group in groups if group.computed} == {"one_touch", "first_assignee"}


def test_a_deferred_group_must_return_its_columns() -> None:
    group = DeferredColumns(("a", "b"), 2, lambda: {"a": [1, 2]})
    with pytest.raises(RuntimeError, match="computed as"):
        group.column("a")
    short = DeferredColumns(("a",), 2, lambda: {"a": [1]})
    with pytest.raises(RuntimeError, match="of 2 rows"):
        short.column("a")


def _iterate(columns: LazyColumns) -> Iterator[str]:
    yield from columns


def test_lazy_columns_iterate_and_measure_without_computing() -> None:
    group = DeferredColumns(("b",), 1, lambda: {"b": np.array([2.0])})
    columns = LazyColumns({"a": np.array([1.0]), **group.placeholders()})
    assert list(_iterate(columns)) == ["a", "b"] and len(columns) == 2
    assert columns.lengths() == {"a": 1, "b": 1} and not group.computed
    assert repr(group) == "DeferredColumns(b: deferred)"
    assert columns["b"].tolist() == [2.0] and repr(group) == "DeferredColumns(b: computed)"
