"""Validate many records at once, reporting every bad record, not only the first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cxmetrics.exceptions import RecordValidationError

__all__ = ["validate_records"]

M = TypeVar("M", bound=BaseModel)

_MAX_LISTED = 20


def validate_records(model: type[M], records: Iterable[Mapping[str, Any] | M]) -> list[M]:
    """Validate ``records`` as instances of ``model``, collecting every problem.

    Parameters
    ----------
    model : type
        A record class such as :class:`~cxmetrics.Ticket` or
        :class:`~cxmetrics.SurveyResponse`.
    records : iterable of dict or model instances
        Rows to validate, e.g. ``df.to_dict("records")``. Instances of ``model``
        pass through unchanged.

    Returns
    -------
    list
        The validated records, in input order.

    Raises
    ------
    RecordValidationError
        When any record is invalid. The message lists every problem (the first 20
        in full) with the record's position, its id when it has one, and the field;
        ``error.errors`` holds all of them as dicts.

    Examples
    --------
    >>> from cxmetrics import Ticket
    >>> rows = [
    ...     {"id": "A", "created_at": "2024-03-01T09:00:00+00:00"},
    ...     {"id": "B", "created_at": "2024-03-01T09:00:00"},
    ...     {"id": "C", "created_at": "2024-03-01T09:00:00Z", "status": "done"},
    ... ]
    >>> validate_records(Ticket, rows)
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.RecordValidationError: 2 invalid Ticket records out of 3:
      record 1 (id='B'): created_at: datetime 2024-03-01T09:00:00 has no timezone; ...
      record 2 (id='C'): status: Input should be 'new', 'open', 'pending', 'on_hold', 'solved' or 'closed' [got 'done']
    """
    valid: list[M] = []
    problems: list[dict[str, object]] = []
    bad_records = 0
    total = 0
    for position, record in enumerate(records):
        total += 1
        if isinstance(record, model):
            valid.append(record)
            continue
        try:
            valid.append(model.model_validate(record))
        except ValidationError as exc:
            bad_records += 1
            record_id = record.get("id") if isinstance(record, Mapping) else None
            for error in exc.errors(include_url=False):
                # Cross-field checks have no location; they name the field in ctx.
                context = error.get("ctx") or {}
                field = ".".join(str(part) for part in error["loc"]) or str(
                    context.get("field", "")
                )
                problems.append(
                    {
                        "position": position,
                        "id": record_id,
                        "field": field,
                        "type": error["type"],
                        "message": error["msg"],
                        "input": error.get("input"),
                    }
                )
    if problems:
        lines = [f"{bad_records} invalid {model.__name__} records out of {total}:"]
        for problem in problems[:_MAX_LISTED]:
            lines.append("  " + _describe(problem))
        if len(problems) > _MAX_LISTED:
            lines.append(f"  … and {len(problems) - _MAX_LISTED} more (see error.errors)")
        raise RecordValidationError("\n".join(lines), tuple(problems))
    return valid


def _describe(problem: Mapping[str, object]) -> str:
    where = f"record {problem['position']}"
    if problem["id"] is not None:
        where += f" (id={problem['id']!r})"
    text = (
        f"{where}: {problem['field']}: {problem['message']}"
        if problem["field"]
        else (f"{where}: {problem['message']}")
    )
    if problem["type"] in ("literal_error", "enum"):
        text += f" [got {problem['input']!r}]"
    return text
