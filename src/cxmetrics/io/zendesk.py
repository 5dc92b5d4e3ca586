"""Zendesk exports: tickets with their audits (comments and field changes) or metric events.

Reads the JSON the Zendesk Support API returns (and what export tools save from
it): the ``tickets`` of ``GET /api/v2/tickets`` or the incremental export, the
``audits`` of ``GET /api/v2/tickets/{id}/audits`` (or ``/api/v2/ticket_audits``),
and the ``ticket_metric_events`` of ``GET /api/v2/incremental/ticket_metric_events``.
Each input may be a JSON file holding one API page (``{"tickets": [...]}``), a
single-object response (``{"ticket": {...}}``), for tickets a search page
(``{"results": [...]}``), a JSON Lines file with one object or page per line, a
list of such files, or the parsed objects themselves. A JSON object of any other
shape is an error, never zero tickets.

What becomes what:

* a ticket: ``id``, ``created_at``, ``status`` (``hold`` is our ``on_hold``),
  ``priority``, ``via.channel`` (``voice`` is ``phone``, ``web`` is ``web``…),
  ``requester_id`` (customer), ``assignee_id`` (agent), ``group_id``, ``tags``;
* an audit's ``Comment`` event: a message at the audit's time, ``public`` as
  given (``true``/``false``, also as text or 0/1); the author (the event's
  ``author_id``, else the audit's) is the customer when they are the ticket's
  requester (or an ``end-user`` in ``users``), the system for ``author_id`` -1 or a
  trigger or automation (``via.channel`` ``rule``), an agent otherwise;
* ``Create`` / ``Change`` events of ``status``, ``priority``, ``assignee_id`` and
  ``group_id``: status changes, priority changes and assignments;
* without audits, the metric events give the flat milestones: the first
  ``reply_time`` fulfilment is ``first_reply_at``, the last ``resolution_time``
  fulfilment is ``solved_at`` (first and last as instants, whatever the offsets).

Ids written as floats (``1.0``) are the integer ids. A value that cannot be read
(a comment with no author at all, ``"public": "maybe"``, an id ``1.5``, a time
that is not ISO 8601) is a :class:`~cxmetrics.exceptions.RecordValidationError`
naming the table, row, ticket and field, or with ``errors="collect"`` a problem,
its ticket left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io._source import _pa
from cxmetrics.io._zendesk_objects import (
    Report,
    load_comments,
    load_objects,
    read_flag,
    read_id,
    read_time,
    text_of,
)
from cxmetrics.tables.frame_rules import _check_mode
from cxmetrics.tables.schema import Collected
from cxmetrics.tables.ticket_frames import to_ticket_batch
from cxmetrics.tables.timestamps import parse_iso

__all__ = ["read_zendesk"]

_STATUS = {"hold": "on_hold"}
_CHANNELS = {"voice": "phone", "native_messaging": "chat", "any_channel": "api"}


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
    ticket_items = load_objects(tickets, "tickets")
    audit_items = load_objects(audits, "audits")
    if audit_items and comments is not None:
        raise InvalidParameterError(
            "give audits or comments, not both: the audits already hold the comments"
        )
    report = Report()
    comment_items = load_comments(comments)
    metric_items = load_objects(ticket_metric_events, "ticket_metric_events")
    rows = _Rows(report)
    rows.read_users(load_objects(users, "users"))
    rows.read_tickets(ticket_items)
    rows.read_audits(audit_items)
    rows.read_comments(comment_items)
    rows.clear_customer_agents()
    if not audit_items and metric_items:
        _milestones(rows.tables["tickets"], metric_items, report)
        if comment_items:  # the comments give the first reply; keep only the solve
            for row in rows.tables["tickets"]:
                row["first_reply_at"] = None
    total = len(ticket_items) + len(audit_items) + len(comment_items) + len(metric_items)
    return _assemble(rows.tables, report, errors, total)


_ROW_TABLES = ("tickets", "messages", "status_changes", "priority_changes", "assignments")


def _by_rule(item: Mapping[str, Any]) -> bool:
    """Whether an audit or comment came ``via`` a rule (a trigger or automation)."""
    via = item.get("via") or {}
    return isinstance(via, Mapping) and via.get("channel") == "rule"


class _Rows:
    """The table rows read from an export's objects, and what linking them needs."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.tables: dict[str, list[dict[str, Any]]] = {name: [] for name in _ROW_TABLES}
        self.roles: dict[str, str] = {}
        self.requester: dict[str, str | None] = {}

    def read_users(self, users: list[dict[str, Any]]) -> None:
        """The role of each user, to tell customers from agents."""
        for position, user in enumerate(users):
            ident = self.report.read(read_id, user.get("id"), "users", position, None, "id")
            if ident is not None:
                self.roles[ident] = str(user.get("role"))

    def read_tickets(self, items: list[dict[str, Any]]) -> None:
        """One ticket row per ticket object, and its requester."""
        for position, item in enumerate(items):
            self._ticket(position, item)

    def _ticket(self, position: int, item: dict[str, Any]) -> None:
        report = self.report
        raw_id = item.get("id")
        ident = report.read(read_id, raw_id, "tickets", position, text_of(raw_id), "id")
        if ident is None and raw_id is not None:
            return  # an unreadable id: reported, and nothing can link to the ticket
        via = item.get("via") or {}
        channel = str(via.get("channel") or "email") if isinstance(via, Mapping) else "email"
        status = str(item.get("status") or "open")
        fields = {
            name: report.read(reader, item.get(name), "tickets", position, ident, name)
            for name, reader in (
                ("created_at", read_time),
                ("requester_id", read_id),
                ("assignee_id", read_id),
                ("group_id", read_id),
            )
        }
        self.requester[str(ident)] = fields["requester_id"]
        self.tables["tickets"].append(
            {
                "id": ident,
                "created_at": fields["created_at"],
                "status": _STATUS.get(status, status),
                "priority": text_of(item.get("priority")),
                "channel": _CHANNELS.get(channel, channel),
                "customer_id": self.requester[str(ident)],
                "agent_id": fields["assignee_id"],
                "group": fields["group_id"],
                "tags": [str(t) for t in item.get("tags") or []],
                "first_reply_at": None,
                "solved_at": None,
            }
        )

    def read_audits(self, items: list[dict[str, Any]]) -> None:
        """Messages, status, priority and assignment changes from the audits' events."""
        for position, audit in enumerate(items):
            raw_ticket = audit.get("ticket_id")
            ticket = self.report.read(
                read_id, raw_ticket, "audits", position, text_of(raw_ticket), "ticket_id"
            )
            if ticket is None and raw_ticket is not None:
                continue
            at = self.report.read(
                read_time, audit.get("created_at"), "audits", position, ticket, "created_at"
            )
            by_rule = _by_rule(audit)
            for number, event in enumerate(audit.get("events") or []):
                kind = event.get("type")
                where = f"events.{number}"
                if kind in ("Comment", "VoiceComment"):
                    self._audit_comment(audit, event, position, ticket, at, where, by_rule)
                elif kind in ("Create", "Change"):
                    self._audit_change(event, position, ticket, at, where)

    def _audit_comment(
        self,
        audit: dict[str, Any],
        event: dict[str, Any],
        position: int,
        ticket: str | None,
        at: str | None,
        where: str,
        by_rule: bool,
    ) -> None:
        report = self.report
        # A comment without its own author was written by the audit's author.
        raw = event.get("author_id")
        field = f"{where}.author_id"
        if raw is None:
            raw, field = audit.get("author_id"), "author_id"
        author = report.read(read_id, raw, "audits", position, ticket, field)
        if author is None and raw is None and not by_rule:
            report.add(
                "audits", position, ticket, f"{where}.author_id", "missing",
                "the comment has no author_id (nor has its audit), so it is "
                "neither the customer's message nor an agent's reply", None,
            )  # fmt: skip
        public = report.read(
            read_flag, event.get("public"), "audits", position, ticket, f"{where}.public"
        )
        self._message(ticket, at, author, public, by_rule)

    def _audit_change(
        self,
        event: dict[str, Any],
        position: int,
        ticket: str | None,
        at: str | None,
        where: str,
    ) -> None:
        field = event.get("field_name")
        value = event.get("value")
        if field == "status" and value and value != "deleted":
            self.tables["status_changes"].append(
                {"ticket_id": ticket, "at": at, "status": _STATUS.get(value, value)}
            )
        elif field == "priority" and value:
            self.tables["priority_changes"].append(
                {"ticket_id": ticket, "at": at, "priority": value}
            )
        elif field in ("assignee_id", "group_id"):
            name = "agent_id" if field == "assignee_id" else "group"
            value = self.report.read(read_id, value, "audits", position, ticket, f"{where}.value")
            self.tables["assignments"].append({"ticket_id": ticket, "at": at, name: value})

    def read_comments(self, items: list[dict[str, Any]]) -> None:
        """Messages from comment objects (when there are no audits)."""
        report = self.report
        for position, comment in enumerate(items):
            raw_ticket = comment["ticket_id"]
            ticket = report.read(
                read_id, raw_ticket, "comments", position, text_of(raw_ticket), "ticket_id"
            )
            if ticket is None and raw_ticket is not None:
                continue
            by_rule = _by_rule(comment)
            raw = comment.get("author_id")
            author = report.read(read_id, raw, "comments", position, ticket, "author_id")
            if raw is None and not by_rule:
                report.add(
                    "comments", position, ticket, "author_id", "missing",
                    "the comment has no author_id, so it is neither the customer's message "
                    "nor an agent's reply", None,
                )  # fmt: skip
            public = report.read(
                read_flag, comment.get("public"), "comments", position, ticket, "public"
            )
            at = report.read(
                read_time, comment.get("created_at"), "comments", position, ticket, "created_at"
            )
            self._message(ticket, at, author, public, by_rule)

    def _message(
        self, ticket: str | None, at: str | None, author: str | None, public: Any, by_rule: bool
    ) -> None:
        self.tables["messages"].append(
            {
                "ticket_id": ticket,
                "at": at,
                "author": _author(author, self.requester.get(str(ticket)), self.roles, by_rule),
                "public": bool(public),
                "automated": by_rule,
                "agent_id": author,
            }
        )

    def clear_customer_agents(self) -> None:
        """Only agents' and bots' messages keep an ``agent_id``."""
        for message in self.tables["messages"]:
            if message["author"] not in ("agent", "bot"):
                message["agent_id"] = None


def _assemble(
    rows: dict[str, list[dict[str, Any]]],
    report: Report,
    errors: Literal["raise", "collect"],
    total: int,
) -> Any:
    """The rows as pyarrow tables, validated into a batch (or a :class:`Collected`)."""
    problems = report.problems
    if errors == "raise":
        problems.raise_if_any("Zendesk export", total)
    elif problems.items:
        # A ticket with an unreadable value is left out whole, as in the tables.
        for name, items in rows.items():
            key = "id" if name == "tickets" else "ticket_id"
            rows[name] = [row for row in items if row[key] not in report.tickets]
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
        found = tuple({**e, "table": "zendesk"} for e in result.errors)
        return Collected(result.data, (*problems.items, *found))
    return result


def _author(author: str | None, requester: str | None, roles: Mapping[str, str], rule: bool) -> str:
    if rule or author == "-1":
        return "system"
    if author is not None and author in roles:
        return "customer" if roles[author] == "end-user" else "agent"
    return "customer" if author is not None and author == requester else "agent"


def _milestones(
    tickets: list[dict[str, Any]], events: list[dict[str, Any]], report: Report
) -> None:
    """First reply and solve of each ticket from its fulfilled metric events.

    The times are compared as instants, not as text: ``10:00Z`` and ``09:00-02:00``
    are in the order of the instants they name.
    """
    wanted = [
        (position, event)
        for position, event in enumerate(events)
        if event.get("type") == "fulfill"
        and event.get("metric") in ("reply_time", "resolution_time")
    ]
    times = np.empty(len(wanted), dtype=object)
    times[:] = [event.get("time") for _, event in wanted]
    seconds, naive, bad = parse_iso(
        np.array([t if isinstance(t, str) else "?" for t in times], dtype=object)
    )
    table = "ticket_metric_events"
    first_reply: dict[str, tuple[float, str]] = {}
    solved: dict[str, tuple[float, str]] = {}
    for row, (position, event) in enumerate(wanted):
        raw = event.get("ticket_id")
        ticket = report.read(read_id, raw, table, position, text_of(raw), "ticket_id")
        if ticket is None:
            if raw is None:
                report.add(table, position, None, "ticket_id", "missing", "Field required", None)
            continue
        time = times[row]
        if time is None or time == "":
            report.add(table, position, ticket, "time", "missing", "Field required", time)
            continue
        if bad[row] or naive[row]:
            code, message = (
                ("naive_datetime", "has no UTC offset; Zendesk writes times in UTC ('...Z')")
                if naive[row]
                else (
                    "datetime_parsing",
                    "is not an ISO 8601 date-time (e.g. 2024-03-01T09:00:00Z)",
                )
            )
            report.add(table, position, ticket, "time", code, message, time)
            continue
        instant = (float(seconds[row]), str(time))
        if event.get("metric") == "reply_time":
            instance = report.read(
                read_id, event.get("instance_id"), table, position, ticket, "instance_id"
            )
            if instance == "1":
                first_reply[ticket] = min(first_reply.get(ticket, instant), instant)
        else:
            solved[ticket] = max(solved.get(ticket, instant), instant)
    for ticket_row in tickets:
        ident = str(ticket_row["id"])
        ticket_row["first_reply_at"] = first_reply[ident][1] if ident in first_reply else None
        ticket_row["solved_at"] = solved[ident][1] if ident in solved else None


def _empty_tickets(pa: Any) -> Any:
    return pa.table({"id": pa.array([], pa.string()), "created_at": pa.array([], pa.string())})


def _fill(table: Any, names: tuple[str, ...], pa: Any) -> Any:
    for name in names:
        if name not in table.column_names:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    return table
