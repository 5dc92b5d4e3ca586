"""Zendesk loader on fixtures written from the Zendesk API documentation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from cxmetrics import RecordValidationError, first_response_time
from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io.zendesk import read_zendesk
from cxmetrics.tables.schema import Collected
from cxmetrics.tickets import ticket_metrics

pytest.importorskip("pyarrow")

FIXTURES = Path(__file__).parent / "fixtures" / "zendesk"
T0 = datetime(2024, 3, 4, 9, tzinfo=timezone.utc)


def _seconds(*moments: datetime | None) -> list[float]:
    return [np.nan if m is None else m.timestamp() for m in moments]


def test_tickets_with_audits() -> None:
    batch = read_zendesk(FIXTURES / "tickets.json", audits=FIXTURES / "audits.jsonl")
    assert batch.ids.tolist() == ["101", "102", "103"]
    assert batch.channel.to_list() == ["web", "phone", "email"]
    assert batch.status.tolist() == [5, 1, 3]  # closed, open, on_hold
    assert batch.customer_id.to_list() == ["501", "502", "503"]
    assert batch.interactions.counts.tolist() == [5, 3, 1]
    assert batch.assignments.counts.tolist() == [2, 0, 0]
    assert batch.tags.counts.tolist() == [2, 0, 1]
    table = ticket_metrics(batch)
    # 101: first agent comment 75 min after creation; 102: the trigger's auto-reply
    # at 10:01 is the system's, so the reply is the agent's at 11:00.
    np.testing.assert_array_equal(table["first_reply"], [4500.0, 3600.0, np.nan])
    np.testing.assert_array_equal(table["first_resolution"], [12600.0, np.nan, np.nan])
    assert first_response_time(batch) == timedelta(seconds=4050)
    ix = batch.interactions
    assert ix["public"][:5].tolist() == [True, True, True, False, True]


def test_users_give_the_same_roles() -> None:
    plain = read_zendesk(FIXTURES / "tickets.json", audits=FIXTURES / "audits.jsonl")
    with_users = read_zendesk(
        FIXTURES / "tickets.json", audits=FIXTURES / "audits.jsonl", users=FIXTURES / "users.json"
    )
    assert plain.interactions["author"].tolist() == with_users.interactions["author"].tolist()


def test_metric_events_give_the_flat_milestones() -> None:
    batch = read_zendesk(
        FIXTURES / "tickets.json", ticket_metric_events=FIXTURES / "ticket_metric_events.json"
    )
    assert batch.first_reply_at.tolist() == pytest.approx(
        _seconds(T0 + timedelta(minutes=75), T0 + timedelta(hours=2), None), nan_ok=True
    )
    assert batch.solved_at.tolist() == pytest.approx(
        _seconds(T0 + timedelta(hours=3.5), None, None), nan_ok=True
    )
    assert first_response_time(batch) == timedelta(seconds=4050)


def test_parsed_objects_and_pages() -> None:
    page = json.loads((FIXTURES / "tickets.json").read_text())
    audits = [json.loads(line) for line in (FIXTURES / "audits.jsonl").read_text().splitlines()]
    split = [{"tickets": page["tickets"][:1]}, {"tickets": page["tickets"][1:]}]
    batch = read_zendesk(split, audits=audits)
    assert batch.ids.tolist() == ["101", "102", "103"]
    assert len(batch.interactions) == 9


def test_bad_rows_raise_or_are_collected() -> None:
    page = json.loads((FIXTURES / "tickets.json").read_text())
    page["tickets"][2]["status"] = "escalated"
    with pytest.raises(RecordValidationError, match="escalated"):
        read_zendesk(page)
    result = read_zendesk(page, errors="collect")
    assert isinstance(result, Collected)
    assert result.data.ids.tolist() == ["101", "102"]
    assert [(e["id"], e["type"]) for e in result.errors] == [("103", "literal_error")]


def test_comments_per_ticket_with_metric_events() -> None:
    comments = json.loads((FIXTURES / "comments.json").read_text())
    batch = read_zendesk(
        FIXTURES / "tickets.json",
        comments=comments,
        ticket_metric_events=FIXTURES / "ticket_metric_events.json",
    )
    with_audits = read_zendesk(FIXTURES / "tickets.json", audits=FIXTURES / "audits.jsonl")
    assert batch.interactions.counts.tolist() == [5, 3, 1]
    assert batch.interactions["author"].tolist() == with_audits.interactions["author"].tolist()
    np.testing.assert_array_equal(ticket_metrics(batch)["first_reply"], [4500.0, 3600.0, np.nan])
    assert batch.solved_at.tolist()[0] == (T0 + timedelta(hours=3.5)).timestamp()
    flat = [{**c, "ticket_id": t} for t, page in comments.items() for c in page["comments"]]
    assert read_zendesk(FIXTURES / "tickets.json", comments=flat).interactions.counts.tolist() == [
        5,
        3,
        1,
    ]
    with pytest.raises(InvalidParameterError, match="not both"):
        read_zendesk(FIXTURES / "tickets.json", audits=FIXTURES / "audits.jsonl", comments=flat)
