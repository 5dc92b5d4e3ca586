"""The metric registry: every metric class by name.

Metric modules register their classes when imported. ``import cxmetrics`` (which
any ``from cxmetrics.… import …`` runs first) imports every built-in metric, so
the registry is complete before any lookup; this module imports nothing above it.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, TypeVar

from cxmetrics.exceptions import InvalidParameterError, UnknownMetricError

if TYPE_CHECKING:
    from cxmetrics.core.base import Metric

__all__ = ["available_metrics", "get_metric", "register"]

_REGISTRY: dict[str, type[Metric]] = {}  # type: ignore[type-arg]

M = TypeVar("M", bound="type[Metric]")  # type: ignore[type-arg]


def register(cls: M) -> M:
    """Class decorator adding a metric class to the registry under ``cls.name``.

    Raises
    ------
    ValueError
        When another class is already registered under the same name.
    """
    name = cls.name
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not cls:
        raise InvalidParameterError(
            f"metric name {name!r} is already taken by {existing.__qualname__}"
        )
    _REGISTRY[name] = cls
    return cls


def get_metric(name: str) -> type[Metric]:  # type: ignore[type-arg]
    """Return the metric class registered under ``name``.

    Parameters
    ----------
    name : str
        A name listed by :func:`available_metrics`, e.g. ``"csat"``. Case and
        dashes are ignored (``"CSAT"``, ``"first-response-time"``).

    Returns
    -------
    type
        The metric class.

    Raises
    ------
    UnknownMetricError
        When no metric has that name; the message suggests the closest names.

    Examples
    --------
    >>> get_metric("csat").__name__
    'CSAT'
    >>> get_metric("cast")
    Traceback (most recent call last):
    ...
    cxmetrics.exceptions.UnknownMetricError: unknown metric 'cast'; did you mean 'csat'?
    """
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return _REGISTRY[key]
    except KeyError:
        close = difflib.get_close_matches(key, list(_REGISTRY), n=3, cutoff=0.6)
        hint = (
            "did you mean " + " or ".join(repr(c) for c in close) + "?"
            if close
            else "see cxmetrics.available_metrics()"
        )
        raise UnknownMetricError(f"unknown metric {name!r}; {hint}") from None


def available_metrics() -> list[str]:
    """Return the names of all registered metrics, sorted.

    Examples
    --------
    >>> "nps" in available_metrics()
    True
    """
    return sorted(_REGISTRY)
