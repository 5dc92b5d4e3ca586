"""Real data: the "Anonymous Bank" call center, February 1999 (../shared/data).

The library's handling figures (AHT, ASA, abandonment, service level under every
abandon treatment) are checked against an independent pandas computation on the
raw file. The loader lives here, in the tests, on purpose: it maps the
publisher's columns onto ``Call`` fields with the conventions below.

* PHANTOM rows are dropped (the publisher says to ignore them).
* A contact is offered to the agent queue when it was served (``AGENT``) or hung
  up while queued (``HANG`` with ``q_time > 0``). Callers who hung up in the IVR
  (``HANG``, ``q_time == 0``) never reached an agent queue and are left out.
* ``wait`` = ``q_time``; ``talk`` = ``ser_time`` for served calls (no hold or
  wrap fields exist, so AHT here is the mean talk time); 0 for abandons.
* 97 ``HANG`` rows carry a service time (``ser_time > 0``, ``NO_SERVER``): taken
  as they are they are both answered and abandoned, which the library rejects
  (tested below); the loader follows the publisher's outcome and zeroes it.
* ``at`` = ``date`` + ``vru_entry``, local clock of Israel; the id is
  ``vru+line`` + ``call_id`` (``call_id`` alone repeats across lines).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cxmetrics import Call
from cxmetrics.metrics.abandonment import abandonment_rate
from cxmetrics.metrics.aht import AHT, aht
from cxmetrics.metrics.contact_volume import contact_volume
from cxmetrics.metrics.service_level import ABANDON_TREATMENTS, service_level
from cxmetrics.metrics.speed_of_answer import average_speed_of_answer

pd = pytest.importorskip("pandas")

pytestmark = pytest.mark.realdata

FILE = Path("anonymous_bank_call_center_1999") / "data_anonymous_bank_february.txt"
TIMEZONE = "Asia/Jerusalem"


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> Any:
    """The file as the publisher wrote it, PHANTOM rows removed."""
    frame = pd.read_csv(shared_data / FILE, sep="\t", dtype=str)
    assert len(frame) == 33_344
    for column in ("q_time", "ser_time"):
        frame[column] = frame[column].astype(np.int64)
    return frame[frame["outcome"] != "PHANTOM"].reset_index(drop=True)


@pytest.fixture(scope="module")
def offered(raw: Any) -> Any:
    """Contacts offered to the agent queue (served, or abandoned while queued)."""
    keep = (raw["outcome"] == "AGENT") | ((raw["outcome"] == "HANG") & (raw["q_time"] > 0))
    return raw[keep].reset_index(drop=True)


def to_columns(frame: Any) -> Any:
    """Map the publisher's columns onto the library's call columns (a DataFrame)."""
    local = pd.to_datetime(
        "19" + frame["date"] + " " + frame["vru_entry"], format="%Y%m%d %H:%M:%S"
    )
    abandoned = (frame["outcome"] == "HANG").to_numpy()
    return pd.DataFrame(
        {
            "id": frame["vru+line"] + "-" + frame["call_id"],
            "at": local.dt.tz_localize(TIMEZONE),
            "wait": frame["q_time"].astype(np.float64),
            "talk": np.where(abandoned, 0.0, frame["ser_time"].astype(np.float64)),
            "abandoned": abandoned,
            "queue": frame["type"],
            "customer_id": frame["customer_id"].where(frame["customer_id"] != "0"),
        }
    )


@pytest.fixture(scope="module")
def calls(offered: Any) -> Any:
    return to_columns(offered)


def test_counts_agree_with_the_readme(raw: Any, offered: Any) -> None:
    assert (raw["outcome"] == "AGENT").sum() == 27_162
    assert (raw["outcome"] == "HANG").sum() == 5_904
    assert ((raw["outcome"] == "HANG") & (raw["q_time"] > 0)).sum() == 3_932
    assert len(offered) == 27_162 + 3_932


def test_aht_matches_pandas(offered: Any, calls: Any) -> None:
    served = offered[offered["outcome"] == "AGENT"]
    expected = served["ser_time"].mean()
    metric = AHT()
    metric.update(calls)
    result = metric.compute()
    assert result.n == len(served) == 27_162
    # Durations are timedeltas: exact to the microsecond.
    assert result.value.total_seconds() == pytest.approx(expected, abs=1e-6)
    assert result.details["talk"].total_seconds() == pytest.approx(expected, abs=1e-6)
    assert result.details["hold"] == result.details["wrap"] == timedelta(0)
    # The README's figure: 179.0 s over the 26,671 calls served by a named agent.
    named = offered[(offered["outcome"] == "AGENT") & (offered["server"] != "NO_SERVER")]
    assert len(named) == 26_671
    assert round(aht(to_columns(named)).total_seconds(), 1) == 179.0


def test_asa_matches_pandas(offered: Any, calls: Any) -> None:
    expected = offered.loc[offered["outcome"] == "AGENT", "q_time"].mean()
    assert average_speed_of_answer(calls).total_seconds() == pytest.approx(expected, abs=1e-6)


def test_abandonment_matches_pandas(raw: Any, offered: Any, calls: Any) -> None:
    hang = offered["outcome"] == "HANG"
    assert abandonment_rate(calls) == pytest.approx(hang.sum() / len(offered), rel=1e-12)
    # Short abandons (≤ 5 s) dropped from both sides.
    short = hang & (offered["q_time"] <= 5)
    expected = (hang.sum() - short.sum()) / (len(offered) - short.sum())
    assert abandonment_rate(calls, short_abandon=5) == pytest.approx(expected, rel=1e-12)
    # Including the IVR hang-ups (wait 0): short_abandon=0 drops exactly those again.
    everything = to_columns(raw)
    all_hang = (raw["outcome"] == "HANG").sum()
    assert abandonment_rate(everything) == pytest.approx(all_hang / len(raw), rel=1e-12)
    assert abandonment_rate(everything, short_abandon=0) == pytest.approx(
        abandonment_rate(calls), rel=1e-12
    )


@pytest.mark.parametrize("target", [20, 60])
@pytest.mark.parametrize("abandons", sorted(ABANDON_TREATMENTS))
def test_service_level_matches_pandas(offered: Any, calls: Any, target: int, abandons: str) -> None:
    wait = offered["q_time"]
    answered = offered["outcome"] == "AGENT"
    abandoned = offered["outcome"] == "HANG"
    within = int((answered & (wait <= target)).sum())
    short = int((abandoned & (wait <= target)).sum())
    total = len(offered)
    expected = {
        "exclude_short": within / (total - short),
        "offered": within / total,
        "answered": within / int(answered.sum()),
        "short_as_met": (within + short) / total,
    }[abandons]
    value = service_level(calls, target=timedelta(seconds=target), abandons=abandons)  # type: ignore[arg-type]
    assert value == pytest.approx(expected, rel=1e-12)


def test_volume_per_half_hour_matches_pandas(calls: Any) -> None:
    table = contact_volume(calls, interval=timedelta(minutes=30), timezone=TIMEZONE)
    local = calls["at"].dt.tz_convert(TIMEZONE)
    expected = local.dt.floor("30min").value_counts()
    got = {start: n for start, n, _, _ in table.rows if n}
    assert len(got) == len(expected)
    assert all(got[start.to_pydatetime()] == n for start, n in expected.items())
    assert sum(table.column("abandoned")) == int(calls["abandoned"].sum())


def test_records_give_the_same_figures_as_columns(offered: Any, calls: Any) -> None:
    first_day = calls[calls["at"].dt.day == 1]
    records = [
        Call(
            at=row.at.to_pydatetime(),
            id=row.id,
            wait=row.wait,
            talk=row.talk,
            abandoned=bool(row.abandoned),
        )
        for row in first_day.itertuples(index=False)
    ]
    assert aht(records) == aht(first_day)
    assert service_level(records, target=20) == service_level(first_day, target=20)


def test_raw_hang_rows_with_service_time_are_rejected_by_name(offered: Any) -> None:
    columns = to_columns(offered)
    raw_talk = offered["ser_time"].astype(np.float64)
    columns["talk"] = raw_talk  # keep the service time the publisher left on HANG rows
    bad = offered[(offered["outcome"] == "HANG") & (offered["ser_time"] > 0)]
    first = f"{bad['vru+line'].iloc[0]}-{bad['call_id'].iloc[0]}"
    with pytest.raises(ValueError, match=rf"{len(bad)} invalid call rows out of") as caught:
        aht(columns)
    assert {p["type"] for p in caught.value.errors} == {"answered_and_abandoned"}  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match=f"id='{first}'"):
        aht(columns)
