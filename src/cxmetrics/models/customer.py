"""Customer lifetimes, for churn and retention."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from typing_extensions import Self

from cxmetrics.models._base import Number, Record, RecordId, UtcDatetime

__all__ = ["Customer", "RevenueChange"]


class RevenueChange(Record):
    """The customer's recurring revenue became ``revenue`` at instant ``at``.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> RevenueChange(at=datetime(2024, 2, 1, tzinfo=timezone.utc), revenue=49.0).revenue
    49.0
    """

    at: UtcDatetime
    revenue: Number = Field(ge=0)


class Customer(Record):
    """One customer's lifetime: active from ``since`` until ``until`` (exclusive).

    Attributes
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
        With ``revenue_changes``, the revenue from ``since`` until the first change.
    revenue_changes : tuple of RevenueChange, default=()
        Upgrades and downgrades (expansion and contraction, for net revenue
        churn), sorted by time on validation; each must fall within the lifetime.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> c = Customer(id=7, since=datetime(2023, 1, 5, tzinfo=timezone.utc))
    >>> c.id, c.until is None
    ('7', True)
    >>> c = Customer(id=8, since=datetime(2023, 1, 5, tzinfo=timezone.utc), revenue=20,
    ...              revenue_changes=[{"at": "2023-06-01T00:00:00Z", "revenue": 35}])
    >>> c.revenue_at(datetime(2023, 7, 1, tzinfo=timezone.utc))
    35.0
    """

    id: RecordId
    since: UtcDatetime
    until: UtcDatetime | None = None
    segment: str | None = None
    revenue: Number | None = None
    revenue_changes: tuple[RevenueChange, ...] = ()

    @field_validator("revenue")
    @classmethod
    def _revenue_not_negative(cls, value: float | None, info: ValidationInfo) -> float | None:
        # Checked here rather than with Field(ge=0) so that the message names the customer.
        if value is not None and value < 0:
            raise PydanticCustomError(
                "negative_revenue",
                "customer {id}: revenue {value} must be greater than or equal to 0",
                {"id": info.data.get("id"), "value": value},
            )
        return value

    @model_validator(mode="after")
    def _leaves_after_joining(self) -> Self:
        if self.until is not None and self.until < self.since:
            raise PydanticCustomError(
                "left_before_joining",
                "customer {id}: until ({until}) is before since ({since}): a customer cannot "
                "leave before joining",
                {"id": self.id, "until": self.until.isoformat(), "since": self.since.isoformat()},
            )
        changes = tuple(sorted(self.revenue_changes, key=lambda change: change.at))
        outside = [
            c
            for c in changes
            if c.at < self.since or (self.until is not None and c.at > self.until)
        ]
        if outside:
            raise PydanticCustomError(
                "revenue_change_outside_lifetime",
                "customer {id}: revenue change at {at} is outside the lifetime {since} – {until}",
                {
                    "id": self.id,
                    "at": outside[0].at.isoformat(),
                    "since": self.since.isoformat(),
                    "until": "now" if self.until is None else self.until.isoformat(),
                },
            )
        object.__setattr__(self, "revenue_changes", changes)
        return self

    def revenue_at(self, at: datetime) -> float | None:
        """Return the recurring revenue in force at instant ``at`` (``None`` if unknown)."""
        current = self.revenue
        for change in self.revenue_changes:
            if change.at <= at:
                current = change.revenue
        return current
