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
from cxmetrics.exceptions import InvalidParameterError

__all__ = [
    "Fold",
    "distributed_state",
    "engine_function",
    "is_distributed",
    "register_engine",
    "register_function",
]

Fold = Callable[[type, Any, Any], State]
"""``fold(metric_type, params, items) -> State``: one metric over a distributed input."""

_ENGINES: list[tuple[Callable[[Any], bool], Fold]] = []

_FUNCTIONS: dict[str, Callable[..., Any]] = {}


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


def register_function(name: str, implementation: Callable[..., Any]) -> None:
    """Route public function ``name`` to ``implementation`` for distributed inputs.

    ``name`` is ``"report"``, ``"ticket_metrics"``, ``"evaluate_sla"``…

    ``implementation`` takes the same arguments as the public function.

    Examples
    --------
    >>> register_function("example_function", lambda items: len(items))
    """
    _FUNCTIONS[name] = implementation


def engine_function(name: str, items: Any) -> Callable[..., Any] | None:
    """The engine implementation of public function ``name`` for ``items``, else ``None``.

    ``None`` means the in-process path: ``items`` is not a distributed input.

    Raises
    ------
    InvalidParameterError
        ``items`` is distributed but no engine implements ``name``.

    Examples
    --------
    >>> engine_function("ticket_metrics", [1, 2]) is None
    True
    """
    if not is_distributed(items):
        return None
    implementation = _FUNCTIONS.get(name)
    if implementation is None:
        raise InvalidParameterError(
            f"{name} does not take a Dask or Spark DataFrame; collect the rows first "
            "(.compute() on Dask, .toArrow() or .toPandas() on Spark)"
        )
    return implementation
