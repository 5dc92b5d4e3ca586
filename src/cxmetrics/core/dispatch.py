"""Where a distributed input (a Dask or Spark DataFrame) leaves the in-process path.

The metric base class lives in ``core`` and must not import the engines, which sit
at the top of the stack. So the engines register themselves here when
:mod:`cxmetrics.engines` is imported (the ``cxmetrics`` package does that), and
:meth:`cxmetrics.core.base.Metric.update` asks :func:`distributed_state` first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cxmetrics.core.state import State

__all__ = ["Fold", "distributed_state", "is_distributed", "register_engine"]

Fold = Callable[[type, Any, Any], State]
"""``fold(metric_type, params, items) -> State``: one metric over a distributed input."""

_ENGINES: list[tuple[Callable[[Any], bool], Fold]] = []


def register_engine(recognises: Callable[[Any], bool], fold: Fold) -> None:
    """Route inputs that ``recognises`` accepts to ``fold`` (registered once per engine).

    Examples
    --------
    >>> register_engine(lambda items: False, lambda cls, params, items: State())
    """
    _ENGINES.append((recognises, fold))


def is_distributed(items: Any) -> bool:
    """Whether a registered engine takes ``items``.

    Examples
    --------
    >>> is_distributed([1, 2, 3])
    False
    """
    return any(recognises(items) for recognises, _ in _ENGINES)


def distributed_state(metric_type: type, params: Any, items: Any) -> State | None:
    """The state of ``metric_type`` over ``items`` computed by an engine, else ``None``.

    Examples
    --------
    >>> distributed_state(State, None, [1, 2]) is None
    True
    """
    for recognises, fold in _ENGINES:
        if recognises(items):
            return fold(metric_type, params, items)
    return None
