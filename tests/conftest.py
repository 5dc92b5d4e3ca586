"""Shared test configuration: hypothesis profiles and the location of the real data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Spark runs its Python workers on this interpreter (not the first python3 on the
# PATH), for the engine tests and the docs examples alike.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

# The metric contract is a mixin whose @given tests run once per metric class;
# hypothesis flags that as "differing executors", which is what a mixin is.
_MIXIN = [HealthCheck.differing_executors]
settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=_MIXIN)
settings.register_profile(
    "ci",
    max_examples=200,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[*_MIXIN, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ../shared/data; skips the test when the data sets are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("the real data sets in ../shared/data are not available")
    return SHARED_DATA
