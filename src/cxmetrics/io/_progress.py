"""A small progress bar on stderr, for long loads (no dependency)."""

from __future__ import annotations

import sys
import time
from typing import IO, Any

__all__ = ["Progress"]


class Progress:
    """A one-line progress bar written to a stream (stderr by default).

    Draws only when enabled, at most ten times a second, and only when the stream
    is a terminal unless ``force`` is set; so scripts and logs stay clean.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> with Progress(100, "tickets.csv", stream=out, force=True) as bar:
    ...     bar.advance(100)
    >>> "tickets.csv" in out.getvalue() and "100%" in out.getvalue()
    True
    """

    def __init__(
        self,
        total: float,
        label: str,
        *,
        enabled: bool = True,
        stream: IO[str] | None = None,
        force: bool = False,
    ) -> None:
        self.total = max(float(total), 1.0)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and (force or bool(getattr(self.stream, "isatty", lambda: False)()))
        self.done = 0.0
        self._last = 0.0
        self._start = time.perf_counter()

    def advance(self, amount: float) -> None:
        """Add ``amount`` to the work done and redraw when due."""
        self.done = min(self.total, self.done + amount)
        now = time.perf_counter()
        if self.enabled and (now - self._last > 0.1 or self.done >= self.total):
            self._last = now
            self._draw()

    def _draw(self, end: str = "") -> None:
        share = self.done / self.total
        width = 30
        filled = int(share * width)
        elapsed = time.perf_counter() - self._start
        self.stream.write(
            f"\r{self.label[:40]:<40} [{'#' * filled}{'.' * (width - filled)}] "
            f"{share:4.0%} {elapsed:5.1f}s{end}"
        )
        self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.enabled:
            self.done = self.total if exc[0] is None else self.done
            self._draw("\n")
