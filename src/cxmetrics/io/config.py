"""Calendars written in TOML, for the command line and for configuration files.

A calendar file (``cal.toml``)::

    timezone = "Europe/Paris"
    holidays = ["2024-12-25", "2025-01-01"]   # dates the windows are cancelled
    country = "FR"                              # optional: public holidays (holidays extra)
    years = [2024, 2025]                        # years of the country's holidays

    [hours]
    mon-fri = "09:00-18:00"
    sat = ["10:00-12:00", "13:00-16:00"]

    [special_hours]
    2024-12-24 = "09:00-12:00"

``dst_convention = "biz"`` reads window boundaries in DST gaps and folds as the
``biz`` gem does (default ``"wall"``).

Hours that changed over time are a list of versions, each a calendar table with
the date it takes effect (a :class:`~cxmetrics.calendars.CalendarHistory`)::

    [[versions]]
    from = "2024-01-01"
    timezone = "Europe/Paris"
    hours = { mon-fri = "09:00-17:00" }

    [[versions]]
    from = "2024-03-01"
    timezone = "Europe/Paris"
    hours = { mon-fri = "08:00-18:00" }

and a calendar per ticket group (a :class:`~cxmetrics.calendars.CalendarRule`;
``by`` is ``group``, ``channel``, ``segment`` or ``priority``) names each value's
calendar table, and optionally a ``default`` one::

    by = "group"
    [calendars.emea]
    timezone = "Europe/Paris"
    [calendars.amer]
    timezone = "America/New_York"
    [default]
    timezone = "UTC"

The keys are the parameters of :class:`~cxmetrics.BusinessCalendar` (plus
``country``, ``subdivision`` and ``years`` for
:meth:`~cxmetrics.BusinessCalendar.from_country`); they may also sit under a
``[calendar]`` table. Python 3.11+ reads TOML with the standard library; on 3.10
the ``tomli`` package is needed.

SLA policy files are read by :func:`cxmetrics.sla.config.read_sla`, in the layer
that knows SLA policies.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cxmetrics.calendars import BusinessCalendar, CalendarHistory, CalendarRule
from cxmetrics.exceptions import InvalidParameterError, MissingDependencyError

__all__ = ["calendar_from_dict", "read_calendar", "read_toml"]

_KEYS = frozenset(
    {"timezone", "hours", "holidays", "special_hours", "extra_working_days", "country",
     "subdivision", "years", "dst_convention"}
)  # fmt: skip


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file (``tomllib``, or ``tomli`` before Python 3.11).

    Raises
    ------
    FileNotFoundError
        For a missing file.
    InvalidParameterError
        For a file that is not valid TOML, naming the file and the problem.
    """
    if sys.version_info >= (3, 11):
        import tomllib as toml
    else:  # pragma: no cover - exercised on Python 3.10 only
        try:
            toml = importlib.import_module("tomli")
        except ImportError as exc:
            raise MissingDependencyError(
                'reading TOML on Python 3.10 requires "tomli"; install it with pip install tomli'
            ) from exc
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"no such file: {str(file)!r}")
    try:
        with open(file, "rb") as handle:
            data: dict[str, Any] = toml.load(handle)
    except toml.TOMLDecodeError as exc:
        raise InvalidParameterError(f"{file.name} is not valid TOML: {exc}") from exc
    return data


def calendar_from_dict(data: Mapping[str, Any], source: str = "calendar") -> Any:
    """Build a calendar from a mapping (a parsed TOML file; see the module docs).

    A :class:`~cxmetrics.BusinessCalendar`, or with ``versions`` a
    :class:`~cxmetrics.calendars.CalendarHistory`, or with ``by`` a
    :class:`~cxmetrics.calendars.CalendarRule`.

    Examples
    --------
    >>> history = calendar_from_dict({"versions": [
    ...     {"from": "2024-01-01", "hours": {"mon-fri": "09:00-17:00"}},
    ...     {"from": "2024-03-01", "hours": {"mon-fri": "08:00-18:00"}}]})
    >>> [str(when) for when, _ in history.versions]
    ['2024-01-01', '2024-03-01']
    >>> rule = calendar_from_dict({"by": "group", "calendars": {"emea": {"timezone": "Europe/Paris"}},
    ...                            "default": {"timezone": "UTC"}})
    >>> rule.by, len(rule.calendars)
    ('group', 2)
    >>> cal = calendar_from_dict({"timezone": "Europe/Paris", "hours": {"mon-fri": "09:00-17:00"},
    ...                           "holidays": ["2024-12-25"]})
    >>> cal.timezone, cal.hours["mon"]
    ('Europe/Paris', ['09:00-17:00'])
    >>> calendar_from_dict({"timezone": "Europe/Berlin", "dst_convention": "biz"}).dst_convention
    'biz'
    """
    if "calendar" in data and isinstance(data["calendar"], Mapping):
        data = data["calendar"]
    if "versions" in data or "by" in data:
        return _composite_from_dict(data, source)
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InvalidParameterError(
            f"{source}: unknown calendar key {unknown[0]!r}; the keys are "
            f"{', '.join(sorted(_KEYS))}"
        )
    _check_types(data, source)
    options = {k: v for k, v in data.items() if k not in ("country", "subdivision", "years")}
    if "special_hours" in options:
        options["special_hours"] = {str(k): v for k, v in options["special_hours"].items()}
    if "country" in data:
        extra = options.pop("holidays", ())
        calendar = BusinessCalendar.from_country(
            str(data["country"]),
            subdivision=data.get("subdivision"),
            years=data.get("years"),
            **options,
        )
        if extra:
            return BusinessCalendar(
                calendar.timezone,
                calendar.hours,
                sorted(calendar.holidays | set(BusinessCalendar(holidays=extra).holidays)),
                special_hours=options.get("special_hours"),
                extra_working_days=options.get("extra_working_days", ()),
                dst_convention=options.get("dst_convention", "wall"),
            )
        return calendar
    return BusinessCalendar(**options)


def _composite_from_dict(data: Mapping[str, Any], source: str) -> Any:
    """A CalendarHistory (``versions``) or a CalendarRule (``by``) from their tables."""
    if "versions" in data:
        extra = sorted(set(data) - {"versions"})
        versions = data["versions"]
        if extra or not isinstance(versions, list):
            raise InvalidParameterError(
                f"{source}: a calendar with versions holds only a list of [[versions]] "
                f"tables, each with a 'from' date; got {', '.join(extra) or type(versions).__name__}"
            )
        pairs = []
        for i, version in enumerate(versions):
            table = dict(version)
            if "from" not in table:
                raise InvalidParameterError(f"{source}: versions[{i}] has no 'from' date")
            when = table.pop("from")
            pairs.append((when, calendar_from_dict(table, f"{source}: versions[{i}]")))
        return CalendarHistory(pairs)
    unknown = sorted(set(data) - {"by", "calendars", "default"})
    if unknown:
        raise InvalidParameterError(
            f"{source}: unknown key {unknown[0]!r} in a calendar rule; the keys are by, "
            "calendars, default"
        )
    calendars = {
        str(value): calendar_from_dict(table, f"{source}: calendars.{value}")
        for value, table in dict(data.get("calendars", {})).items()
    }
    default = data.get("default")
    return CalendarRule(
        by=str(data["by"]),
        calendars=calendars,
        default=None if default is None else calendar_from_dict(default, f"{source}: default"),
    )


# What each calendar key holds, as TOML gives it: (test, what the message asks for).
_TYPES: dict[str, tuple[Any, str]] = {
    "timezone": (lambda v: isinstance(v, str), 'a string such as "Europe/Paris"'),
    "country": (lambda v: isinstance(v, str), 'a string such as "FR"'),
    "subdivision": (lambda v: isinstance(v, str), 'a string such as "BY"'),
    "years": (
        lambda v: isinstance(v, list) and all(isinstance(y, int) for y in v),
        "a list of years such as [2024, 2025]",
    ),
    "hours": (
        lambda v: (
            isinstance(v, Mapping)
            and all(
                isinstance(w, str) or (isinstance(w, list) and all(isinstance(x, str) for x in w))
                for w in v.values()
            )
        ),
        'a table of days to "HH:MM-HH:MM" strings or lists of them, e.g. '
        '[hours] mon-fri = "09:00-17:00"',
    ),
    "holidays": (
        lambda v: isinstance(v, (list, Mapping)),
        'a list of dates such as ["2024-12-25"] (or a table of date = "name")',
    ),
    "special_hours": (
        lambda v: isinstance(v, Mapping),
        'a table of dates to hours, e.g. [special_hours] 2024-12-24 = "09:00-13:00"',
    ),
    "extra_working_days": (lambda v: isinstance(v, list), 'a list of dates such as ["2024-05-11"]'),
    "dst_convention": (lambda v: isinstance(v, str), 'a string, "wall" or "biz"'),
}


def _check_types(data: Mapping[str, Any], source: str) -> None:
    """Raise naming the key and what it must hold, for a value of the wrong TOML type."""
    for key, value in data.items():
        test, expected = _TYPES[key]
        if not test(value):
            raise InvalidParameterError(
                f"{source}: calendar key {key!r} must be {expected}; got {value!r}"
            )


def read_calendar(path: str | Path) -> Any:
    r"""Read a :class:`~cxmetrics.BusinessCalendar` from a TOML file (see the module docs).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "cal.toml"
    >>> _ = file.write_text('timezone = "America/New_York"\n[hours]\nmon-fri = "08:00-20:00"\n')
    >>> read_calendar(file).hours["fri"]
    ['08:00-20:00']
    """
    return calendar_from_dict(read_toml(path), Path(path).name)
