"""Zendesk loader on fixtures written from the Zendesk API documentation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

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


# --- issue 19: unreadable values, payload shapes, times as instants ---------------------


def _ticket(ident: Any = 1, created: str = "2024-01-01T08:00:00Z") -> dict[str, Any]:
    return {"id": ident, "created_at": created, "status": "open", "requester_id": 5}


def _audit(minutes: int, author: Any, *events: dict[str, Any], ticket: Any = 1) -> dict[str, Any]:
    at = (datetime(2024, 1, 1, 8, tzinfo=timezone.utc) + timedelta(minutes=minutes)).isoformat()
    return {"ticket_id": ticket, "created_at": at, "author_id": author, "events": list(events)}


def _comment(author: Any = None, public: Any = True) -> dict[str, Any]:
    event = {"type": "Comment", "public": public}
    if author != "absent":
        event["author_id"] = author
    return event


def test_comment_without_author_is_its_audit_authors() -> None:
    # The customer (5) opens at 08:00 in an audit whose comment has author_id null;
    # the agent (7) answers at 08:40: first reply 40 minutes, not 0.
    audits = [_audit(0, 5, _comment(None)), _audit(40, 7, _comment(7))]
    batch = read_zendesk({"tickets": [_ticket()]}, audits=audits)
    assert batch.interactions["author"].tolist() == [0, 1]  # customer, agent
    assert first_response_time(batch) == timedelta(minutes=40)


def test_comment_with_no_author_anywhere_is_an_error() -> None:
    audits = [_audit(0, None, _comment(None)), _audit(40, 7, _comment(7))]
    tickets = {"tickets": [_ticket(1), _ticket(2)]}
    with pytest.raises(RecordValidationError, match=r"audits row 0 \(id='1'\).*author_id"):
        read_zendesk(tickets, audits=audits)
    result = read_zendesk(tickets, audits=audits, errors="collect")
    assert isinstance(result, Collected)
    assert result.data.ids.tolist() == ["2"]
    assert [(e["id"], e["field"], e["type"]) for e in result.errors] == [
        ("1", "audits.events.0.author_id", "missing")
    ]


def test_public_flags_written_as_text() -> None:
    # 08:00 customer; 08:10 an internal note ("false" as text); 08:30 the public reply.
    audits = [
        _audit(0, 5, _comment(5)),
        _audit(10, 7, _comment(7, public="false")),
        _audit(30, 7, _comment(7, public="TRUE")),
    ]
    batch = read_zendesk({"tickets": [_ticket()]}, audits=audits)
    assert batch.interactions["public"].tolist() == [True, False, True]
    assert first_response_time(batch) == timedelta(minutes=30)
    audits[1]["events"][0]["public"] = "maybe"
    with pytest.raises(RecordValidationError, match=r"events\.0\.public.*'maybe'"):
        read_zendesk({"tickets": [_ticket()]}, audits=audits)


def test_metric_event_times_are_compared_as_instants() -> None:
    # Created 08:00Z. Replies fulfilled at 08:45Z and at 09:30+01:00 (08:30Z): the
    # first is 30 minutes, though "08:45Z" sorts first as text. Resolutions fulfilled
    # at 2024-01-02 08:00Z (24 h) and 08:00-02:00 (10:00Z, 26 h): the last is 26 h,
    # though "...08:00:00Z" sorts last as text.
    def event(metric: str, time: str) -> dict[str, Any]:
        return {"ticket_id": 1, "metric": metric, "instance_id": 1, "type": "fulfill",
                "time": time}  # fmt: skip

    events = [
        event("reply_time", "2024-01-01T08:45:00Z"),
        event("reply_time", "2024-01-01T09:30:00+01:00"),
        event("resolution_time", "2024-01-02T08:00:00-02:00"),
        event("resolution_time", "2024-01-02T08:00:00Z"),
    ]
    batch = read_zendesk([_ticket()], ticket_metric_events=events)
    table = ticket_metrics(batch)
    assert table["first_reply"].tolist() == [30 * 60.0]
    assert table["first_resolution"].tolist() == [26 * 3600.0]
    events[3]["time"] = "yesterday"
    with pytest.raises(RecordValidationError, match=r"ticket_metric_events row 3 \(id='1'\).*time"):
        read_zendesk([_ticket()], ticket_metric_events=events)
    result = read_zendesk([_ticket()], ticket_metric_events=events, errors="collect")
    assert isinstance(result, Collected)
    assert len(result.data) == 0
    assert [(e["position"], e["type"]) for e in result.errors] == [(3, "datetime_parsing")]


def test_search_and_single_ticket_payloads(tmp_path: Path) -> None:
    ticket = _ticket()
    search = {"results": [{**ticket, "result_type": "ticket"}], "count": 1, "next_page": None}
    assert read_zendesk(search).ids.tolist() == ["1"]
    assert read_zendesk({"ticket": ticket}).ids.tolist() == ["1"]
    assert read_zendesk(ticket).ids.tolist() == ["1"]
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"ticket": ticket}))
    assert read_zendesk(path).ids.tolist() == ["1"]
    lines = tmp_path / "search.jsonl"
    lines.write_text(f"{json.dumps(search)}\n{json.dumps({'ticket': _ticket(2)})}\n")
    assert read_zendesk(lines).ids.tolist() == ["1", "2"]
    audit = _audit(0, 5, _comment(5))
    assert len(read_zendesk(search, audits={"audit": audit}).interactions) == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"tickets_page": [_ticket()]},
        {"data": {"id": 1}},
        {},
        {"tickets": {"id": 1}},
        {"results": [{"id": 9, "result_type": "user"}]},
        [1, 2],
    ],
)
def test_payloads_of_unknown_shape_are_errors(payload: Any) -> None:
    with pytest.raises(InvalidParameterError):
        read_zendesk(payload)


def test_float_ids_link_to_their_audits() -> None:
    audits = [_audit(0, 5.0, _comment(5.0)), _audit(40, 7, _comment(7.0), ticket=1)]
    batch = read_zendesk([_ticket(1.0)], audits=audits)
    assert batch.ids.tolist() == ["1"]
    assert batch.interactions.counts.tolist() == [2]
    assert batch.interactions["author"].tolist() == [0, 1]  # 5.0 is the requester 5
    assert first_response_time(batch) == timedelta(minutes=40)
    with pytest.raises(RecordValidationError, match=r"tickets row 0 .*tickets\.id.*1\.5"):
        read_zendesk([_ticket(1.5)])
    result = read_zendesk([_ticket(1.5), _ticket(2)], errors="collect")
    assert isinstance(result, Collected)
    assert result.data.ids.tolist() == ["2"]
    assert [(e["id"], e["field"], e["type"]) for e in result.errors] == [
        ("1.5", "tickets.id", "string_type")
    ]
    comments = {1.0: [{"author_id": 5, "created_at": "2024-01-01T08:00:00Z"},
                      {"author_id": 7.0, "created_at": "2024-01-01T08:40:00Z"}]}  # fmt: skip
    batch = read_zendesk([_ticket(1)], comments=comments)
    assert batch.interactions["author"].tolist() == [0, 1]
    assert first_response_time(batch) == timedelta(minutes=40)
