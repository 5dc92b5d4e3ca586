"""The ``Problems`` collector: row problems as the models' error dicts, and their report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import RecordValidationError
from cxmetrics.tables.arrow import BoolArray

__all__ = ["Problems", "describe"]

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
        """Raise :class:`RecordValidationError` listing every problem."""
        if not self.items:
            return
        bad = len({(str(p["field"]).split(".")[0], p["position"]) for p in self.items})
        lines = [f"{bad} invalid {what} rows out of {total}:"]
        for problem in self.items[:_MAX_LISTED]:
            lines.append("  " + describe(problem))
        if len(self.items) > _MAX_LISTED:
            lines.append(f"  … and {len(self.items) - _MAX_LISTED} more (see error.errors)")
        raise RecordValidationError("\n".join(lines), tuple(self.items))


def describe(problem: Mapping[str, object]) -> str:
    """One line describing a problem dict."""
    if problem["type"] == "malformed_row":
        return f"{problem.get('table', 'file')}: {problem['message']} [{problem['input']!r}]"
    field = str(problem["field"])
    table = field.split(".")[0] if "." in field else str(problem.get("table", "tickets"))
    where = f"{table} row {problem['position']}"
    if problem["id"] is not None:
        where += f" (id={problem['id']!r})"
    text = f"{where}: {field}: {problem['message']}"
    if problem["type"] == "literal_error":
        text += f" [got {problem['input']!r}]"
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value
