"""Per-ticket calendars: each ticket measured on the calendar its group (or channel…) picks.

Zendesk assigns business-hours schedules by group (a trigger sets the schedule of
each ticket); a team with desks in several timezones has one calendar per desk. A
:class:`CalendarRule` says which calendar measures each ticket, from one of the
ticket's fields. It is data only: the ticket kernels and the SLA evaluator read
the field of every ticket and group the tickets by calendar, one calendar call
per distinct calendar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cxmetrics.exceptions import CalendarError

__all__ = ["RULE_FIELDS", "CalendarRule"]

RULE_FIELDS: tuple[str, ...] = ("group", "channel", "segment", "priority")
"""The ticket fields a rule may choose by."""


class CalendarRule:
    """Each ticket's calendar, chosen by one of its fields.

    Parameters
    ----------
    by : {"group", "channel", "segment", "priority"}
        The ticket field that picks the calendar (the current value). A brand is
        not a ticket field: load it into ``segment`` (or ``group``) to choose by it.
    calendars : mapping of str to calendar
        Field value to calendar (a :class:`BusinessCalendar`, a
        :class:`CalendarHistory`, or ``None`` for calendar time).
    default : calendar, optional
        For tickets whose value is missing or not in ``calendars``. Without a
        default such a ticket is an error naming it.

    Raises
    ------
    CalendarError
        For an unknown field, no calendars, or a value that is not a calendar.

    Notes
    -----
    A rule measures tickets, not bare instants: pass it as ``calendar=`` to the
    ticket metrics, ``ticket_metrics`` or an ``SlaPolicy``. Its own
    ``business_seconds`` refuses, saying so.

    Examples
    --------
    >>> from cxmetrics import BusinessCalendar
    >>> paris = BusinessCalendar("Europe/Paris", {"mon-fri": "09:00-18:00"})
    >>> york = BusinessCalendar("America/New_York", {"mon-fri": "09:00-18:00"})
    >>> rule = CalendarRule(by="group", calendars={"emea": paris, "amer": york}, default=york)
    >>> rule.choose(["emea", "amer", None, "apac"]).tolist()
    [0, 1, 1, 1]
    >>> rule.calendars == (paris, york)
    True
    """

    __slots__ = ("by", "calendars", "default", "mapping")

    def __init__(self, by: str, calendars: Mapping[str, Any], default: Any = None) -> None:
        if by not in RULE_FIELDS:
            raise CalendarError(
                f"a CalendarRule chooses by one of {', '.join(RULE_FIELDS)}; got {by!r}"
            )
        if not calendars:
            raise CalendarError("a CalendarRule needs at least one (value, calendar)")
        for value, calendar in [*calendars.items(), ("default", default)]:
            if calendar is not None and not hasattr(calendar, "business_seconds"):
                raise CalendarError(
                    f"the calendar for {by} {value!r} is {calendar!r}, not a calendar"
                )
        distinct: list[Any] = []
        for calendar in [*calendars.values(), default]:
            if calendar is not None and calendar not in distinct:
                distinct.append(calendar)
        self.by = by
        self.calendars: tuple[Any, ...] = tuple(distinct)
        """The distinct calendars, in order of first mention (``None`` left out)."""
        self.mapping: dict[str, int] = {
            str(value): _index(distinct, calendar) for value, calendar in calendars.items()
        }
        self.default = _index(distinct, default) if default is not None else None

    def choose(self, labels: Sequence[str | None]) -> npt.NDArray[np.int64]:
        """Index into :attr:`calendars` for each field value (-1: calendar time, -2: none).

        ``-1`` is a value mapped to ``None`` (calendar time); ``-2`` a value with no
        calendar and no default.
        """
        missing = -2 if self.default is None else self.default
        return np.array(
            [missing if v is None else self.mapping.get(str(v), missing) for v in labels],
            dtype=np.int64,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CalendarRule) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        return (self.by, self.calendars, tuple(sorted(self.mapping.items())), self.default)

    def __repr__(self) -> str:
        return f"CalendarRule(by={self.by!r}, <{len(self.mapping)} values>)"

    def __reduce__(self) -> tuple[Any, ...]:
        calendars = {
            value: (None if k < 0 else self.calendars[k]) for value, k in self.mapping.items()
        }
        default = None if self.default is None else self.calendars[self.default]
        return (CalendarRule, (self.by, calendars, default))

    @property
    def never_open(self) -> bool:
        """Whether every calendar of the rule is never open."""
        return bool(self.calendars) and all(getattr(c, "never_open", False) for c in self.calendars)

    def business_seconds(self, starts: Any, ends: Any) -> Any:
        """Refused: a rule needs the tickets to choose a calendar.

        Raises
        ------
        CalendarError
            Always; pass the rule where tickets are measured.
        """
        raise CalendarError(
            "a CalendarRule chooses a calendar per ticket, so it measures tickets (the "
            "ticket metrics' calendar=, ticket_metrics, SlaPolicy(calendar=...)), not bare "
            "instants; use one of rule.calendars for those"
        )

    add_seconds = business_seconds


def _index(distinct: list[Any], calendar: Any) -> int:
    return -1 if calendar is None else distinct.index(calendar)
