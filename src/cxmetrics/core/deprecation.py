"""Old parameter names that keep working for one release, with a warning."""

from __future__ import annotations

import warnings
from typing import Any

from cxmetrics.exceptions import CXMetricsDeprecationWarning, InvalidParameterError

__all__ = ["renamed_parameter", "warn_renamed"]


def warn_renamed(
    old: str, new: str, owner: str, *, what: str = "parameter", stacklevel: int = 3
) -> None:
    """Warn that ``owner``'s parameter (or column: ``what="column"``) ``old`` is now ``new``.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("at", "as_of", "backlog")
    >>> str(caught[0].message)
    "backlog: the 'at' parameter is now called 'as_of'; 'at' goes in the next release"
    """
    warnings.warn(
        f"{owner}: the {old!r} {what} is now called {new!r}; {old!r} goes in the next release",
        CXMetricsDeprecationWarning,
        stacklevel=stacklevel,
    )


def renamed_parameter(data: Any, *, old: str, new: str, owner: str) -> Any:
    """Move ``data[old]`` to ``data[new]`` with a deprecation warning (for ``mode="before"``).

    Raises
    ------
    InvalidParameterError
        When both names are given.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     renamed_parameter({"at": 1}, old="at", new="as_of", owner="Backlog")
    {'as_of': 1}
    >>> renamed_parameter({"as_of": 1}, old="at", new="as_of", owner="Backlog")
    {'as_of': 1}
    """
    if not isinstance(data, dict) or old not in data:
        return data
    data = dict(data)
    value = data.pop(old)
    if data.get(new) is not None:
        raise InvalidParameterError(
            f"{owner}: give {new!r} only ({old!r} is its old name, kept for one release)"
        )
    warn_renamed(old, new, owner, stacklevel=6)
    data[new] = value
    return data
