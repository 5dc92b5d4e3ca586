"""The ``Problems`` collector: row problems as the models' error dicts, and their report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import RecordValidationError
from cxmetrics.tables.arrow import BoolArray

__all__ = ["Problems", "describe", "table_of"]

_MAX_LISTED = 20


@dataclass
class Problems:
    """Row problems of one conversion, in the error-dict format of the models."""

    items: list[dict[str, object]]

    def add(
        self,
        mask: BoolArray,
        *,
        ids: Any,
        field: str,
        code: str,
        message: str | Any,
        inputs: Any = None,
        positions: npt.NDArray[np.int64] | None = None,
    ) -> None:
        """Record one problem per row where ``mask`` is true.

        ``message`` is a string, or a callable of the row that returns one. ``ids``
        and ``inputs`` are arrays, or anything indexable by row (looked up only for
        the rows reported).
        """
        rows = np.flatnonzero(mask)
        for row in rows.tolist():
            self.items.append(
                {
                    "position": int(positions[row]) if positions is not None else row,
                    "id": None if ids[row] is None else str(ids[row]),
                    "field": field,
                    "type": code,
                    "message": message(row) if callable(message) else message,
                    "input": None if inputs is None else _plain(inputs[row]),
                }
            )

    def raise_if_any(self, what: str, total: int) -> None:
        """Raise :class:`RecordValidationError` listing every problem.

        The count names the rows of the ``what`` table out of its ``total``, and
        the bad rows of the other tables (a ticket's interactions…) apart, so
        that it never reads "4 invalid ticket rows out of 2".
        """
        if not self.items:
            return
        rows: dict[str, set[object]] = {}
        for p in self.items:
            rows.setdefault(table_of(p), set()).add(p["position"])
        primary = next((t for t in rows if t in (what, f"{what}s")), None)
        if primary is None and len(rows) == 1:  # a source read as one table (an event log)
            primary = next(iter(rows))
        own = len(rows.pop(primary, set())) if primary is not None else 0
        head = f"{own} invalid {what} rows out of {total}"
        if rows:
            others = ", ".join(f"{len(r)} {t} rows" for t, r in rows.items())
            head = (
                f"{head}; invalid rows of other tables: {others}"
                if own
                else (f"invalid rows: {others}")
            )
        lines = [f"{head}:"]
        for problem in self.items[:_MAX_LISTED]:
            lines.append("  " + describe(problem))
        if len(self.items) > _MAX_LISTED:
            lines.append(f"  … and {len(self.items) - _MAX_LISTED} more (see error.errors)")
        raise RecordValidationError("\n".join(lines), tuple(self.items))


# Tables a problem's field may name on its own (a rule over the whole row).
_TABLES = frozenset(
    {"tickets", "interactions", "status_changes", "assignments", "priority_changes", "tags",
     "surveys", "calls", "customers", "revenue_changes", "survey_sends", "staff_surveys",
     "qa_evaluations", "callbacks"}
)  # fmt: skip


def table_of(problem: Mapping[str, object]) -> str:
    """The table a problem is in: its field's first part, or the ``table`` it names."""
    if "table" in problem and problem["type"] == "malformed_row":
        return str(problem["table"])
    field = str(problem["field"])
    if "." in field:
        return field.split(".")[0]
    if field in _TABLES:
        return field
    return str(problem.get("table", "tickets"))


def describe(problem: Mapping[str, object]) -> str:
    """One line describing a problem dict."""
    if problem["type"] == "malformed_row":
        where = problem.get("file") or problem.get("table", "file")
        return f"{where}: {problem['message']} [{problem['input']!r}]"
    field = str(problem["field"])
    where = f"{table_of(problem)} row {problem['position']}"
    if problem["id"] is not None:
        where += f" (id={problem['id']!r})"
    if problem.get("file"):
        where += f" in {problem['file']}"
    text = f"{where}: {field}: {problem['message']}"
    if problem["type"] in ("literal_error", "float_parsing", "bool_parsing", "finite_number"):
        text += f" [got {problem['input']!r}]"
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value
