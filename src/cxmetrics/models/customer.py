"""Customer lifetimes, for churn and retention."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import Self

from cxmetrics.models._base import Record, RecordId, UtcDatetime

__all__ = ["Customer"]


class Customer(Record):
    """One customer's lifetime: active from ``since`` until ``until`` (exclusive).

    Parameters
    ----------
    id : str
    since : datetime
        When the customer started (timezone-aware).
    until : datetime, optional
        When the customer left; ``None`` while still active.
    segment : str, optional
        Plan, contract type, region… for per-segment churn.
    revenue : float, optional
        Recurring revenue per period (e.g. monthly), for revenue churn. Not negative.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> c = Customer(id=7, since=datetime(2023, 1, 5, tzinfo=timezone.utc))
    >>> c.id, c.until is None
    ('7', True)
    """

    id: RecordId
    since: UtcDatetime
    until: UtcDatetime | None = None
    segment: str | None = None
    revenue: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _leaves_after_joining(self) -> Self:
        if self.until is not None and self.until < self.since:
            raise PydanticCustomError(
                "left_before_joining",
                "until ({until}) is before since ({since}): a customer cannot leave before joining",
                {"until": self.until.isoformat(), "since": self.since.isoformat()},
            )
        return self
