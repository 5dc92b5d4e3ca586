"""SLA policies written in TOML, for the command line and for configuration files.

An SLA policy file (``sla.toml``) holds the fields of
``SlaPolicy``, its calendar as a table, and one ``[[targets]]`` table per target::

    name = "standard"
    pause_statuses = ["pending"]

    [calendar]
    timezone = "Europe/Paris"
    hours = { mon-fri = "09:00-18:00" }

    [[targets]]
    metric = "first_reply"
    within = "PT4H"

    [[targets]]
    metric = "first_reply"
    within = "PT1H"
    priority = "urgent"

The options ``reply_pause_statuses`` (a list) and ``first_reply_survives_solve``
(a boolean) are read as the policy's fields, and ``preset = "zammad"`` (or
``"znuny"``, ``"otrs"``, ``"zendesk"``) starts from that helpdesk's pausing
rules (:meth:`SlaPolicy.preset`); fields given in the file override it.

A ``[calendar]`` table is read as a calendar file is
(:func:`cxmetrics.io.config.calendar_from_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cxmetrics.exceptions import InvalidParameterError
from cxmetrics.io.config import calendar_from_dict, read_toml
from cxmetrics.sla.policy import SLA_PRESETS, SlaPolicy

__all__ = ["read_sla", "sla_from_dict"]


def sla_from_dict(data: Mapping[str, Any], source: str = "sla") -> SlaPolicy:
    """Build an ``SlaPolicy`` from a mapping (a parsed TOML file); see the module docs.

    Raises
    ------
    InvalidParameterError
        For an invalid policy (one line naming the problem).

    Examples
    --------
    >>> policy = sla_from_dict({"name": "std", "targets": [{"metric": "first_reply", "within": "PT4H"}]})
    >>> policy.name, policy.targets[0].metric
    ('std', 'first_reply')
    >>> sla_from_dict({"name": "z", "preset": "zammad",
    ...                "targets": [{"metric": "first_reply", "within": "PT1H"}]}).reply_pause_statuses
    ('pending',)
    """
    options = dict(data)
    if "preset" in options:
        preset = options.pop("preset")
        rules = SLA_PRESETS.get(str(preset).strip().lower())
        if rules is None:
            raise InvalidParameterError(
                f"{source}: unknown SLA preset {preset!r}; presets are " + ", ".join(SLA_PRESETS)
            )
        options = {**rules, **options}
    if isinstance(options.get("calendar"), Mapping):
        options["calendar"] = calendar_from_dict(options["calendar"], source)
    try:
        return SlaPolicy.model_validate(options)
    except ValueError as exc:  # pydantic's ValidationError and SlaError are ValueErrors
        first = " ".join(str(exc).split())
        raise InvalidParameterError(f"{source}: invalid SLA policy: {first}") from exc


def read_sla(path: str | Path) -> SlaPolicy:
    """Read an ``SlaPolicy`` from a TOML file (see the module docs)."""
    return sla_from_dict(read_toml(path), Path(path).name)
