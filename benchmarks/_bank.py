"""The "Anonymous Bank" call-center log (February 1999) as call columns, for the planning scripts.

Conventions as in the real-data tests: PHANTOM rows dropped; a call is offered to the
agent queue when served (AGENT) or abandoned while queued (HANG with q_time > 0);
``at`` = date + vru_entry on the clock of Asia/Jerusalem; talk = ser_time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxmetrics import BusinessCalendar

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILE = Path("anonymous_bank_call_center_1999") / "data_anonymous_bank_february.txt"
TIMEZONE = "Asia/Jerusalem"
# The publisher's opening hours: Sun-Thu 07:00-24:00, Fri 07:00-14:00, Sat from about 20:00.
CALENDAR = BusinessCalendar(
    TIMEZONE,
    {"sun-thu": "07:00-24:00", "fri": "07:00-14:00", "sat": "20:00-24:00"},
)


def bank_calls(data: Path = DATA) -> Any:
    """The offered calls as a DataFrame of call columns (at, wait, talk, abandoned)."""
    frame = pd.read_csv(data / FILE, sep="\t", dtype=str)
    frame = frame[frame["outcome"] != "PHANTOM"]
    queued = frame["q_time"].astype(np.int64) > 0
    frame = frame[(frame["outcome"] == "AGENT") | ((frame["outcome"] == "HANG") & queued)]
    local = pd.to_datetime(
        "19" + frame["date"] + " " + frame["vru_entry"], format="%Y%m%d %H:%M:%S"
    )
    abandoned = (frame["outcome"] == "HANG").to_numpy()
    return pd.DataFrame(
        {
            "at": local.dt.tz_localize(TIMEZONE),
            "wait": frame["q_time"].astype(np.float64).to_numpy(),
            "talk": np.where(abandoned, 0.0, frame["ser_time"].astype(np.float64)),
            "abandoned": abandoned,
        }
    )
