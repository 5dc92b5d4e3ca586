"""Zendesk exports: tickets with their audits (comments and field changes) or metric events.

Reads the JSON the Zendesk Support API returns (and what export tools save from
it): the ``tickets`` of ``GET /api/v2/tickets`` or the incremental export, the
``audits`` of ``GET /api/v2/tickets/{id}/audits`` (or ``/api/v2/ticket_audits``),
and the ``ticket_metric_events`` of ``GET /api/v2/incremental/ticket_metric_events``.
Each input may be a JSON file holding one API page (``{"tickets": [...]}``), a
JSON Lines file with one object per line, a list of such files, or the parsed
objects themselves.

What becomes what:

* a ticket: ``id``, ``created_at``, ``status`` (``hold`` is our ``on_hold``),
  ``priority``, ``via.channel`` (``voice`` is ``phone``, ``web`` is ``web``…),
  ``requester_id`` (customer), ``assignee_id`` (agent), ``group_id``, ``tags``;
* an audit's ``Comment`` event: a message at the audit's time, ``public`` as
  given; the author is the customer when they are the ticket's requester (or an
  ``end-user`` in ``users``), the system for ``author_id`` -1 or a trigger or
  automation (``via.channel`` ``rule``), an agent otherwise;
* ``Create`` / ``Change`` events of ``status``, ``priority``, ``assignee_id`` and
  ``group_id``: status changes, priority changes and assignments;
* without audits, the metric events give the flat milestones: the first
  ``reply_time`` fulfilment is ``first_reply_at``, the last ``resolution_time``
  fulfilment is ``solved_at``.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io._source import _pa
from cxmetrics.tables.frame_rules import _check_mode
from cxmetrics.tables.schema import Collected
from cxmetrics.tables.ticket_frames import to_ticket_batch

__all__ = ["read_zendesk"]

_STATUS = {"hold": "on_hold"}
_CHANNELS = {"voice": "phone", "native_messaging": "chat", "any_channel": "api"}


def _load(value: Any, key: str) -> list[dict[str, Any]]:
    """The objects of one input: parsed objects, a JSON page, JSON Lines, or several files."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.get(key, []))
    if isinstance(value, (str, Path)):
        path = Path(value)
        if not path.exists():
            raise FileNotFoundError(f"no such file: {str(path)!r}")
        opener: Any = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            text = handle.read()
        stripped = text.lstrip()
        if stripped.startswith("{") and "\n{" not in stripped.rstrip():
            return _load(json.loads(text), key)
        if stripped.startswith("["):
            return list(json.loads(text))
        items: list[dict[str, Any]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidParameterError(
                    f"{path.name} line {number} is not JSON ({exc.msg})"
                ) from exc
            # A line may be a whole API page or one object.
            items.extend(item[key] if key in item and isinstance(item[key], list) else [item])
        return items
    items = []
    for part in value:
        if isinstance(part, Mapping) and key not in part:
            items.append(dict(part))
        else:
            items.extend(_load(part, key))
    return items


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def read_zendesk(
    tickets: Any,
    *,
    audits: Any = None,
    comments: Any = None,
    ticket_metric_events: Any = None,
    users: Any = None,
    errors: Literal["raise", "collect"] = "raise",
) -> Any:
    """Load a Zendesk export as a :class:`~cxmetrics.tables.ticket_batch.TicketBatch`.

    Parameters
    ----------
    tickets : path, list of paths, dict or list of dict
        Ticket objects as the Zendesk API returns them.
    audits : same, optional
        Ticket audits (``ticket_id``, ``created_at``, ``author_id``, ``via``,
        ``events``): the full history.
    comments : mapping or same, optional
        Ticket comments (``GET /api/v2/tickets/{id}/comments``: ``created_at``,
        ``author_id``, ``public``, ``via``), when there are no audits: a mapping of
        ticket id to its comments (a list or an API page), or comment objects
        carrying a ``ticket_id``.
    ticket_metric_events : same, optional
        Metric events (``ticket_id``, ``metric``, ``instance_id``, ``type``,
        ``time``), for the milestones when there are no audits.
    users : same, optional
        User objects (``id``, ``role``: ``end-user``, ``agent`` or ``admin``) to
        tell customers from agents exactly.
    errors : {"raise", "collect"}, default="raise"
        As in :func:`~cxmetrics.io.to_ticket_batch`.

    Returns
    -------
    TicketBatch or Collected

    Examples
    --------
    >>> page = {"tickets": [{"id": 35436, "created_at": "2024-03-04T09:00:00Z",
    ...                      "status": "solved", "requester_id": 20978392,
    ...                      "via": {"channel": "web"}, "tags": ["billing"]}]}
    >>> audits = {"audits": [
    ...     {"id": 1, "ticket_id": 35436, "created_at": "2024-03-04T09:00:00Z",
    ...      "author_id": 20978392, "events": [
    ...         {"type": "Comment", "public": True, "author_id": 20978392},
    ...         {"type": "Create", "field_name": "status", "value": "new"}]},
    ...     {"id": 2, "ticket_id": 35436, "created_at": "2024-03-04T09:45:00Z",
    ...      "author_id": 7, "events": [
    ...         {"type": "Comment", "public": True, "author_id": 7},
    ...         {"type": "Change", "field_name": "status", "value": "solved",
    ...          "previous_value": "new"}]}]}
    >>> batch = read_zendesk(page, audits=audits)
    >>> from cxmetrics import first_response_time, resolution_time
    >>> first_response_time(batch), resolution_time(batch)
    (datetime.timedelta(seconds=2700), datetime.timedelta(seconds=2700))
    """
    _check_mode(errors)
    ticket_items = _load(tickets, "tickets")
    audit_items = _load(audits, "audits")
    if audit_items and comments is not None:
        raise InvalidParameterError(
            "give audits or comments, not both: the audits already hold the comments"
        )
    comment_items = _comments(comments)
    metric_items = _load(ticket_metric_events, "ticket_metric_events")
    roles = {str(u.get("id")): str(u.get("role")) for u in _load(users, "users")}
    rows: dict[str, list[dict[str, Any]]] = {
        "tickets": [],
        "messages": [],
        "status_changes": [],
        "priority_changes": [],
        "assignments": [],
    }
    requester: dict[str, str | None] = {}
    for item in ticket_items:
        ident = _text(item.get("id"))
        via = item.get("via") or {}
        channel = str(via.get("channel") or "email") if isinstance(via, Mapping) else "email"
        status = str(item.get("status") or "open")
        requester[str(ident)] = _text(item.get("requester_id"))
        rows["tickets"].append(
            {
                "id": ident,
                "created_at": item.get("created_at"),
                "status": _STATUS.get(status, status),
                "priority": item.get("priority"),
                "channel": _CHANNELS.get(channel, channel),
                "customer_id": _text(item.get("requester_id")),
                "agent_id": _text(item.get("assignee_id")),
                "group": _text(item.get("group_id")),
                "tags": [str(t) for t in item.get("tags") or []],
                "first_reply_at": None,
                "solved_at": None,
            }
        )
    for audit in audit_items:
        ticket = _text(audit.get("ticket_id"))
        at = audit.get("created_at")
        via = audit.get("via") or {}
        by_rule = isinstance(via, Mapping) and via.get("channel") == "rule"
        for event in audit.get("events") or []:
            kind = event.get("type")
            if kind in ("Comment", "VoiceComment"):
                author = _text(event.get("author_id", audit.get("author_id")))
                rows["messages"].append(
                    {
                        "ticket_id": ticket,
                        "at": at,
                        "author": _author(author, requester.get(str(ticket)), roles, by_rule),
                        "public": bool(event.get("public", True)),
                        "automated": by_rule,
                        "agent_id": author,
                    }
                )
            elif kind in ("Create", "Change"):
                field = event.get("field_name")
                value = event.get("value")
                if field == "status" and value and value != "deleted":
                    rows["status_changes"].append(
                        {"ticket_id": ticket, "at": at, "status": _STATUS.get(value, value)}
                    )
                elif field == "priority" and value:
                    rows["priority_changes"].append(
                        {"ticket_id": ticket, "at": at, "priority": value}
                    )
                elif field in ("assignee_id", "group_id"):
                    name = "agent_id" if field == "assignee_id" else "group"
                    rows["assignments"].append({"ticket_id": ticket, "at": at, name: _text(value)})
    for comment in comment_items:
        ticket = _text(comment.get("ticket_id"))
        via = comment.get("via") or {}
        by_rule = isinstance(via, Mapping) and via.get("channel") == "rule"
        author = _text(comment.get("author_id"))
        rows["messages"].append(
            {
                "ticket_id": ticket,
                "at": comment.get("created_at"),
                "author": _author(author, requester.get(str(ticket)), roles, by_rule),
                "public": bool(comment.get("public", True)),
                "automated": by_rule,
                "agent_id": author,
            }
        )
    for message in rows["messages"]:
        if message["author"] not in ("agent", "bot"):
            message["agent_id"] = None
    if not audit_items and metric_items:
        _milestones(rows["tickets"], metric_items)
        if comment_items:  # the comments give the first reply; keep only the solve
            for row in rows["tickets"]:
                row["first_reply_at"] = None
    pa, _ = _pa()
    tables: dict[str, Any] = {}
    for name, items in rows.items():
        if items or name == "tickets":
            tables[name] = pa.Table.from_pylist(items) if items else _empty_tickets(pa)
    if "assignments" in tables:
        tables["assignments"] = _fill(tables["assignments"], ("agent_id", "group"), pa)
    result = to_ticket_batch(
        tables.pop("tickets"),
        messages=tables.get("messages"),
        status_changes=tables.get("status_changes"),
        priority_changes=tables.get("priority_changes"),
        assignments=tables.get("assignments"),
        errors=errors,
    )
    if isinstance(result, Collected):
        return Collected(result.data, tuple({**e, "table": "zendesk"} for e in result.errors))
    return result


def _comments(value: Any) -> list[dict[str, Any]]:
    """Comment objects with their ticket id, from a per-ticket mapping or a flat list."""
    if value is None:
        return []
    if isinstance(value, Mapping) and "comments" not in value:
        out: list[dict[str, Any]] = []
        for ticket, page in value.items():
            items = page.get("comments", []) if isinstance(page, Mapping) else page
            out.extend({**item, "ticket_id": ticket} for item in items)
        return out
    items = _load(value, "comments")
    missing = [i for i, item in enumerate(items) if "ticket_id" not in item]
    if missing:
        raise InvalidParameterError(
            f"comment {missing[0]} has no ticket_id: pass comments as a mapping of ticket id "
            "to that ticket's comments, or add ticket_id to each"
        )
    return items


def _author(author: str | None, requester: str | None, roles: Mapping[str, str], rule: bool) -> str:
    if rule or author == "-1":
        return "system"
    if author is not None and author in roles:
        return "customer" if roles[author] == "end-user" else "agent"
    return "customer" if author is not None and author == requester else "agent"


def _milestones(tickets: list[dict[str, Any]], events: Iterable[Mapping[str, Any]]) -> None:
    first_reply: dict[str, str] = {}
    solved: dict[str, str] = {}
    for event in events:
        if event.get("type") != "fulfill":
            continue
        ticket = str(event.get("ticket_id"))
        time = str(event.get("time"))
        if event.get("metric") == "reply_time" and event.get("instance_id") == 1:
            first_reply[ticket] = min(first_reply.get(ticket, time), time)
        elif event.get("metric") == "resolution_time":
            solved[ticket] = max(solved.get(ticket, time), time)
    for row in tickets:
        row["first_reply_at"] = first_reply.get(str(row["id"]))
        row["solved_at"] = solved.get(str(row["id"]))


def _empty_tickets(pa: Any) -> Any:
    return pa.table({"id": pa.array([], pa.string()), "created_at": pa.array([], pa.string())})


def _fill(table: Any, names: tuple[str, ...], pa: Any) -> Any:
    for name in names:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table
