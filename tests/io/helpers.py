"""Test helpers for io: records to plain row tables (a slow oracle), batch equality."""

from __future__ import annotations

from typing import Any

import numpy as np

from cxmetrics import Call, Ticket
from cxmetrics.tables.ticket_batch import Categorical, EventTable, TicketBatch

BACKENDS = ("pyarrow", "pandas", "polars")


def ticket_rows(tickets: list[Ticket]) -> dict[str, list[dict[str, Any]]]:
    """One plain row per ticket and per history event, written record by record."""
    rows: dict[str, list[dict[str, Any]]] = {
        "tickets": [],
        "interactions": [],
        "status_changes": [],
        "assignments": [],
    }
    for t in tickets:
        rows["tickets"].append(
            {
                "id": t.id,
                "created_at": t.created_at,
                "channel": t.channel,
                "priority": t.priority,
                "status": t.status,
                "customer_id": t.customer_id,
                "agent_id": t.agent_id,
                "group": t.group,
                "created_by": t.created_by,
                "first_reply_at": t.first_reply_at,
                "solved_at": t.solved_at,
                "tags": list(t.tags),
            }
        )
        for e in t.interactions:
            if isinstance(e, Call):
                rows["interactions"].append(
                    {"ticket_id": t.id, "at": e.at, "kind": "call", "author": None,
                     "public": True, "automated": False, "agent_id": e.agent_id,
                     "wait": e.wait.total_seconds(), "talk": e.talk.total_seconds(),
                     "hold": e.hold.total_seconds(), "wrap": e.wrap.total_seconds(),
                     "abandoned": e.abandoned, "transferred": e.transferred,
                     "direction": e.direction}
                )  # fmt: skip
            else:
                rows["interactions"].append(
                    {"ticket_id": t.id, "at": e.at, "kind": "message", "author": e.author,
                     "public": e.public, "automated": e.automated, "agent_id": e.agent_id,
                     "wait": 0.0, "talk": 0.0, "hold": 0.0, "wrap": 0.0, "abandoned": False,
                     "transferred": False, "direction": None}
                )  # fmt: skip
        for s in t.status_changes:
            rows["status_changes"].append({"ticket_id": t.id, "at": s.at, "status": s.status})
        for a in t.assignments:
            rows["assignments"].append(
                {"ticket_id": t.id, "at": a.at, "agent_id": a.agent_id, "group": a.group}
            )
    return rows


def frame(rows: list[dict[str, Any]], backend: str) -> Any:
    """Rows as a pandas, polars or pyarrow table."""
    if backend == "pyarrow":
        import pyarrow as pa

        return pa.Table.from_pylist(rows)
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame.from_records(rows)
    import polars as pl

    return pl.from_dicts(rows, infer_schema_length=None)


def frames(tickets: list[Ticket], backend: str) -> dict[str, Any]:
    """Keyword arguments for ``to_ticket_batch`` (history tables only when not empty)."""
    rows = ticket_rows(tickets)
    out = {"tickets": frame(rows.pop("tickets"), backend)}
    for name, table in rows.items():
        if table:
            out[name] = frame(table, backend)
    return out


def _decoded(column: Any) -> list[Any]:
    if isinstance(column, Categorical):
        return column.to_list()
    return np.asarray(column).tolist()


def _same(a: Any, b: Any, what: str) -> None:
    left, right = _decoded(a), _decoded(b)
    assert len(left) == len(right), what
    for x, y in zip(left, right, strict=True):
        if isinstance(x, float) and isinstance(y, float) and np.isnan(x) and np.isnan(y):
            continue
        assert x == y, f"{what}: {left} != {right}"


def assert_same_batch(a: TicketBatch, b: TicketBatch) -> None:
    """Every column of two batches holds the same values (categories may differ)."""
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, EventTable):
            _same(x.offsets, y.offsets, f"{name}.offsets")
            _same(x.at, y.at, f"{name}.at")
            assert set(x.columns) <= set(y.columns) or len(x) == 0, name
            for column in x.columns:
                if len(x):
                    _same(x[column], y[column], f"{name}.{column}")
        else:
            _same(x, y, name)
