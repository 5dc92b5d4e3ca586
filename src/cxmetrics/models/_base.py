"""Shared building blocks of the record models: the base class and annotated types."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

__all__ = ["NonNegativeDuration", "Number", "Record", "RecordId", "UtcDatetime"]


class Record(BaseModel):
    """Base class of every cxmetrics input record.

    Records are frozen (hashable, safe to share between threads and workers) and
    reject unknown fields, so a misspelt field name is an error instead of a value
    that silently goes missing.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


def _require_aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "naive_datetime",
            "datetime {value} has no timezone; cxmetrics only accepts aware instants. "
            "Attach the zone it was recorded in, e.g. value.replace(tzinfo=ZoneInfo('Europe/Paris')) "
            "or value.replace(tzinfo=timezone.utc), or pass an ISO string with an offset "
            "such as '2024-03-01T09:00:00+00:00'",
            {"value": value.isoformat()},
        )
    return value.astimezone(timezone.utc)


# ISO 8601 allows an offset of whole hours ("+01"); pydantic reads only "+01:00".
_HOUR_OFFSET = re.compile(
    r"(\d{4}-\d{2}-\d{2}[Tt ]\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d+)?)?)?)([+-]\d{2})"
)


def _hour_offset(value: Any) -> Any:
    # "2024-03-01T09:00:00+01" is "2024-03-01T09:00:00+01:00", as in the table loaders.
    if isinstance(value, str):
        match = _HOUR_OFFSET.fullmatch(value.strip())
        if match is not None:
            return f"{match.group(1)}{match.group(2)}:00"
    return value


UtcDatetime = Annotated[datetime, BeforeValidator(_hour_offset), AfterValidator(_require_aware_utc)]
"""A timezone-aware instant, normalised to UTC. Naive datetimes are rejected."""


def _require_non_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise PydanticCustomError(
            "negative_duration",
            "duration of {seconds} s is negative; durations must be zero or more",
            {"seconds": f"{value.total_seconds():g}"},
        )
    return value


NonNegativeDuration = Annotated[timedelta, AfterValidator(_require_non_negative)]
"""A duration of zero or more. Numbers are read as seconds."""


def _id_to_str(value: Any) -> Any:
    # Exports carry ids as integers as often as strings; both name the same thing.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and not value.strip():
        # A blank id names nothing: tables read it as missing, records refuse it.
        raise PydanticCustomError("blank_id", "an id cannot be empty or blank")
    return value


RecordId = Annotated[str, BeforeValidator(_id_to_str)]
"""A record identifier; integers are accepted and stored as strings; blank is refused."""


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError(
            "float_type",
            "Input should be a valid number, not a boolean ({value})",
            {"value": value},
        )
    return value


Number = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False)]
"""A finite number: ``True``, ``nan`` and infinities are refused, never read as 1 or kept."""
