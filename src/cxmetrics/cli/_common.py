"""What every ``cxmetrics`` subcommand shares: output formats and one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

from cxmetrics.exceptions import RecordValidationError

__all__ = ["FORMATS", "format_for", "one_line", "write_output"]

FORMATS = ("table", "md", "html", "json", "csv")
_SUFFIX_FORMATS = {".md": "md", ".html": "html", ".htm": "html", ".json": "json", ".csv": "csv"}


def format_for(fmt: str | None, output: Path | None) -> str:
    """The output format: the one asked for, else the one the output file's suffix names."""
    if fmt is not None:
        return fmt
    suffix = output.suffix.lower() if output is not None else ""
    return _SUFFIX_FORMATS.get(suffix, "table")


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output``, or to stdout when no file is named."""
    if output is not None:
        output.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    else:
        print(text.rstrip("\n"), file=sys.stdout)


def one_line(exc: BaseException) -> str:
    """The message of ``exc`` as the one line a shell user reads."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, FileNotFoundError) and exc.filename is not None:
        return f"no such file: {exc.filename!r}"
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if isinstance(exc, RecordValidationError) and len(lines) > 1:
        more = len(exc.errors) - 1
        tail = f" (and {more} more problem(s); --errors collect leaves bad rows out)"
        return f"{lines[0]} {lines[1]}{tail if more else ''}"
    return lines[0]
