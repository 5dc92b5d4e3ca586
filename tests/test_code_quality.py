"""Lint, format and strict typing run as part of the suite, so CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_BESIDE_PYTHON = Path(sys.executable).parent / "ruff"
RUFF = str(_BESIDE_PYTHON) if _BESIDE_PYTHON.exists() else shutil.which("ruff")
CHECKED = ("src", "tests", "benchmarks", "scripts")


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
def test_ruff_lint_and_format() -> None:
    assert RUFF is not None
    lint = _run(RUFF, "check", *CHECKED)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run(RUFF, "format", "--check", *CHECKED)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    result = _run(sys.executable, "-m", "mypy", "src/cxmetrics")
    assert result.returncode == 0, result.stdout + result.stderr
