"""Reading Zendesk API objects: payloads loaded as object lists, values read, problems noted.

A payload is a JSON or JSON Lines file, a list of files, an API page, a
single-object response or the parsed objects (see :mod:`cxmetrics.io.zendesk`).
Values are read field by field (ids, flags, times); one that cannot be read is
noted in a :class:`Report`, in the error-dict format of the tables.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.columns import FALSE_WORDS, TRUE_WORDS
from cxmetrics.tables.problems import Problems

__all__ = [
    "Report",
    "load_comments",
    "load_objects",
    "read_flag",
    "read_id",
    "read_time",
    "text_of",
]


# The object of a single-object response (GET /api/v2/tickets/{id}: {"ticket": {...}}).
_SINGULAR = {
    "tickets": "ticket",
    "audits": "audit",
    "comments": "comment",
    "ticket_metric_events": "ticket_metric_event",
    "users": "user",
}
# Keys that make a JSON object one item of that kind rather than a page.
_ITEM_KEYS = {
    "tickets": ("id", "created_at"),
    "audits": ("events", "ticket_id"),
    "comments": ("author_id", "created_at", "body"),
    "ticket_metric_events": ("metric", "ticket_id"),
    "users": ("id", "role"),
}


def _items(value: Any, key: str, where: str) -> list[dict[str, Any]]:
    """The objects of one parsed JSON value.

    A list page (``{"tickets": [...]}``), a single-object response
    (``{"ticket": {...}}``), a search page (``{"results": [...]}``, tickets only), a
    list of any of these, or one object. Anything else is an error: a payload of
    another shape must not read as zero objects.
    """
    if isinstance(value, list):
        return [item for part in value for item in _items(part, key, where)]
    if not isinstance(value, Mapping):
        raise InvalidParameterError(
            f"{where}: expected Zendesk {key} (a JSON object or a list of them), got "
            f"{type(value).__name__} {str(value)[:60]!r}"
        )
    singular = _SINGULAR[key]
    if key in value:
        found = value[key]
        if not isinstance(found, list):
            raise InvalidParameterError(
                f"{where}: {key!r} must be a list of {key}, got {type(found).__name__}"
            )
        items: list[Any] = found
    elif isinstance(value.get(singular), Mapping):
        items = [value[singular]]
    elif key == "tickets" and isinstance(value.get("results"), list):
        items = value["results"]
        others = [
            r.get("result_type")
            for r in items
            if isinstance(r, Mapping) and r.get("result_type", "ticket") != "ticket"
        ]
        if others:
            raise InvalidParameterError(
                f"{where}: the search results hold {len(others)} that are not tickets (a "
                f"{others[0]!r}); search with 'type:ticket'"
            )
    elif any(name in value for name in _ITEM_KEYS[key]):
        return [dict(value)]
    else:
        search = " or a search page {'results': [...]}" if key == "tickets" else ""
        raise InvalidParameterError(
            f"{where}: a JSON object with the keys {sorted(map(str, value))[:8]} is neither "
            f"a page of Zendesk {key} ({{{key!r}: [...]}}{search}), nor a single {singular} "
            f"({{{singular!r}: {{...}}}}), nor one {singular} object"
        )
    bad = [i for i, item in enumerate(items) if not isinstance(item, Mapping)]
    if bad:
        raise InvalidParameterError(
            f"{where}: {key} item {bad[0]} is a {type(items[bad[0]]).__name__}, not an object"
        )
    return [dict(item) for item in items]


def load_objects(value: Any, key: str) -> list[dict[str, Any]]:
    """The objects of one input: parsed objects, a JSON page, JSON Lines, or several files."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return _items(value, key, f"the {key} input")
    if isinstance(value, (str, Path)):
        path = Path(value)
        if not path.exists():
            raise FileNotFoundError(f"no such file: {str(path)!r}")
        opener: Any = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            text = handle.read()
        stripped = text.lstrip()
        if (stripped.startswith("{") and "\n{" not in stripped.rstrip()) or stripped.startswith(
            "["
        ):
            return _items(json.loads(text), key, path.name)
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
            items.extend(_items(item, key, f"{path.name} line {number}"))
        return items
    if isinstance(value, (bytes, bytearray)) or not isinstance(value, Iterable):
        raise InvalidParameterError(
            f"{key} must be a path, a list of paths, or parsed Zendesk JSON; got "
            f"{type(value).__name__}"
        )
    items = []
    for number, part in enumerate(value):
        if isinstance(part, (str, Path)):
            items.extend(load_objects(part, key))
        else:
            items.extend(_items(part, key, f"{key} input {number}"))
    return items


def text_of(value: Any) -> str | None:
    return None if value is None else str(value)


class _Unreadable(ValueError):
    """A value of the export that cannot be read as what its field holds."""


def read_id(value: Any) -> str | None:
    """An id as text: integers, also written as floats (``1.0``), as their digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Unreadable("is a boolean, not an id")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise _Unreadable("is not an integer id")
    if isinstance(value, str):
        return value.strip() or None
    raise _Unreadable(f"is a {type(value).__name__}, not an id")


def read_flag(value: Any) -> bool:
    """A boolean as Zendesk or an export tool writes it (``true``, ``"false"``, 0/1)."""
    if value is None:
        return True  # not given: comments are public by default, as in the tables
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise _Unreadable("is not true or false")


def read_time(value: Any) -> str | None:
    """A time as its ISO 8601 text (parsed and checked by the table conversion)."""
    if value is None or isinstance(value, str):
        return value
    raise _Unreadable("is not an ISO 8601 date-time text (e.g. 2024-03-01T09:00:00Z)")


# Error codes of unreadable values, as the record models name them.
_CODES = {"read_id": "string_type", "read_flag": "bool_parsing", "read_time": "datetime_parsing"}


class Report:
    """Problems of the export's objects, in the error-dict format of the tables."""

    def __init__(self) -> None:
        self.problems = Problems([])
        self.tickets: set[str] = set()

    def add(
        self,
        table: str,
        position: int,
        ticket: str | None,
        field: str,
        code: str,
        message: str,
        value: Any,
    ) -> None:
        self.problems.items.append(
            {
                "position": position,
                "id": ticket,
                "field": f"{table}.{field}",
                "type": code,
                "message": message,
                "input": value,
                "table": "zendesk",
            }
        )
        if ticket is not None:
            self.tickets.add(ticket)

    def read(
        self,
        reader: Any,
        value: Any,
        table: str,
        position: int,
        ticket: str | None,
        field: str,
        default: Any = None,
    ) -> Any:
        """``reader(value)``, or ``default`` after noting why it cannot be read."""
        try:
            return reader(value)
        except _Unreadable as exc:
            code = _CODES[reader.__name__]
            self.add(table, position, ticket, field, code, f"{value!r} {exc}", value)
            return default


def load_comments(value: Any) -> list[dict[str, Any]]:
    """Comment objects with their ticket id, from a per-ticket mapping or a flat list."""
    if value is None:
        return []
    if isinstance(value, Mapping) and not any(
        name in value for name in ("comments", "comment", *_ITEM_KEYS["comments"])
    ):
        out: list[dict[str, Any]] = []
        for ticket, page in value.items():
            items = _items(page, "comments", f"the comments of ticket {ticket!r}")
            out.extend({**item, "ticket_id": ticket} for item in items)
        return out
    items = load_objects(value, "comments")
    missing = [i for i, item in enumerate(items) if "ticket_id" not in item]
    if missing:
        raise InvalidParameterError(
            f"comment {missing[0]} has no ticket_id: pass comments as a mapping of ticket id "
            "to that ticket's comments, or add ticket_id to each"
        )
    return items
