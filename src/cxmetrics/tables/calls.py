"""Turn live contacts (``Call`` records, tickets holding calls, or columns) into arrays.

Every contact-center kernel works on :class:`CallColumns`: one numpy array per
field, built once. The only per-record Python loop in the contact-center code is
the conversion from pydantic objects here; everything downstream is vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.models.interaction import Call
from cxmetrics.models.ticket import Ticket

__all__ = ["CallColumns", "calls_from_records", "missing"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class CallColumns:
    """Live contacts as columns; instants are UTC epoch seconds, durations seconds."""

    at: FloatArray
    wait: FloatArray
    talk: FloatArray
    hold: FloatArray
    wrap: FloatArray
    abandoned: BoolArray
    transferred: BoolArray
    inbound: BoolArray
    channel: ObjectArray
    queue: ObjectArray
    customer_id: ObjectArray
    id: ObjectArray

    def __len__(self) -> int:
        return int(self.at.size)

    @property
    def answered(self) -> BoolArray:
        """Contacts an agent handled (not abandoned)."""
        return ~self.abandoned

    @property
    def handle(self) -> FloatArray:
        """Talk + hold + wrap seconds."""
        return self.talk + self.hold + self.wrap

    def select(self, mask: BoolArray) -> CallColumns:
        """Return the rows where ``mask`` is true."""
        return CallColumns(**{name: getattr(self, name)[mask] for name in _FIELDS})

    def only(self, *, channel: str | None = None, inbound: bool | None = None) -> CallColumns:
        """Keep one channel and/or one direction (``None`` keeps all)."""
        mask = np.ones(len(self), dtype=bool)
        if channel is not None:
            mask &= self.channel == channel
        if inbound is not None:
            mask &= self.inbound == inbound
        return self if mask.all() else self.select(mask)


_FIELDS = tuple(CallColumns.__dataclass_fields__)


def calls_from_records(items: Any, *, owner: str) -> CallColumns:
    """Return ``Call`` records (tickets contribute their ``calls``) as :class:`CallColumns`.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> at = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> calls_from_records([Call(at=at, wait=20, talk=100)], owner="aht").talk.tolist()
    [100.0]
    """
    calls: list[Call] = []
    for position, item in enumerate(items):
        if isinstance(item, Call):
            calls.append(item)
        elif isinstance(item, Ticket):
            calls.extend(item.calls)
        else:
            raise InvalidParameterError(
                f"{owner} expects Call or Ticket items; item {position} is {type(item).__name__}"
            )
    n = len(calls)
    return CallColumns(
        at=np.fromiter((c.at.timestamp() for c in calls), np.float64, n),
        wait=np.fromiter((c.wait.total_seconds() for c in calls), np.float64, n),
        talk=np.fromiter((c.talk.total_seconds() for c in calls), np.float64, n),
        hold=np.fromiter((c.hold.total_seconds() for c in calls), np.float64, n),
        wrap=np.fromiter((c.wrap.total_seconds() for c in calls), np.float64, n),
        abandoned=np.fromiter((c.abandoned for c in calls), np.bool_, n),
        transferred=np.fromiter((c.transferred for c in calls), np.bool_, n),
        inbound=np.fromiter((c.direction == "inbound" for c in calls), np.bool_, n),
        channel=_objects([c.channel for c in calls]),
        queue=_objects([c.queue for c in calls]),
        customer_id=_objects([c.customer_id for c in calls]),
        id=_objects([c.id for c in calls]),
    )


def _objects(values: list[Any]) -> ObjectArray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def missing(values: ObjectArray) -> BoolArray:
    """Return where an object column holds ``None``.

    Examples
    --------
    >>> missing(np.array(["a", None], dtype=object)).tolist()
    [False, True]
    """
    none: Any = None
    return np.asarray(np.equal(values, none), dtype=bool)
