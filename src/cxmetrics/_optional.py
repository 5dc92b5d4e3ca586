"""Lazy imports of optional dependencies, with an install hint when one is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from cxmetrics.exceptions import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra.

    Parameters
    ----------
    module : str
        Dotted module name, e.g. ``"holidays"``.
    extra : str
        The cxmetrics extra that installs it, e.g. ``"holidays"``.
    feature : str
        What the caller was trying to do, for the message.

    Returns
    -------
    module
        The imported module.

    Examples
    --------
    >>> import_optional("math", extra="none", feature="arithmetic").sqrt(4.0)
    2.0
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f'{feature} requires "{module}"; install it with pip install "cxmetrics[{extra}]"'
        ) from exc
