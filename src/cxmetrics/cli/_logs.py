"""Tickets from an event or message log, calls from a call log, driven by a TOML mapping file.

The mapping names the data file (relative to the mapping's folder) and the
keyword parameters of :func:`cxmetrics.io.read_event_log`,
:func:`cxmetrics.io.read_message_log` or :func:`cxmetrics.io.read_call_log`, so
exports in any shape run from the shell::

    file = "incident_event_log.csv"
    case = "number"
    timestamp = "sys_updated_at"
    status = "incident_state"
    timestamp_format = "%d/%m/%Y %H:%M"

    [status_map]
    New = "new"
    Resolved = "solved"
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.tables.schema import Collected

__all__ = ["read_log"]

_TUPLES = ("null_values", "id")


def read_log(kind: str, mapping: Path, timezone: str | None, errors: str) -> Any:
    """The tickets (or calls) of the ``kind`` log ``mapping`` describes.

    ``kind`` is ``"event"``, ``"message"`` or ``"call"``.
    """
    from cxmetrics.io import read_call_log, read_event_log, read_message_log
    from cxmetrics.io.config import read_toml

    options: dict[str, Any] = read_toml(mapping)
    name = options.pop("file", None)
    if not isinstance(name, str):
        raise InvalidParameterError(
            f'{mapping.name}: the mapping needs file = "<the {kind} log, relative to it>"'
        )
    source = (mapping.parent / name) if not Path(name).is_absolute() else Path(name)
    for key in _TUPLES:
        if isinstance(options.get(key), list):
            options[key] = tuple(options[key])
    options.setdefault("errors", errors)
    if timezone is not None:
        options.setdefault("timezone", timezone)
    reader: Any = {"event": read_event_log, "message": read_message_log, "call": read_call_log}[
        kind
    ]
    try:
        result = reader(source, progress=sys.stderr.isatty(), **options)
    except TypeError as exc:  # an unknown key in the mapping
        raise InvalidParameterError(f"{mapping.name}: {exc}") from None
    if not isinstance(result, Collected):
        return result
    found = result.errors  # ``errors = "collect"``: the good rows, and what was left out
    if found:
        first = found[0]
        rows = "calls" if kind == "call" else "tickets"
        print(
            f"cxmetrics: warning: {len(found)} problem(s) in the {kind} log; the {rows} "
            f"concerned are left out (first: {first.get('type')}: {first.get('message')})",
            file=sys.stderr,
        )
    return result.data
