"""The shapes the synthetic generator draws from: shares, speeds, loads and names.

One place for every parameter of :func:`cxmetrics.datasets.generate`;
``docs/datasets.md`` lists the distributions they feed.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cxmetrics.models.ticket import TICKET_STATUSES
from cxmetrics.tables.ticket_batch import AUTHORS

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CHANNELS = ("email", "web", "chat", "phone", "social")
CHANNEL_SHARE = (0.38, 0.2, 0.22, 0.12, 0.08)
# Mean minutes to an agent reply per channel (live channels are fast).
REPLY_MINUTES = (240.0, 300.0, 4.0, 2.0, 90.0)
PRIORITY_SHARE = (0.2, 0.55, 0.2, 0.05)
# Urgent tickets are answered three times faster than low ones.
PRIORITY_SPEED = (0.8, 1.0, 1.6, 3.0)
GROUPS = ("accounts", "billing", "sales", "technical")
TAGS = ("billing", "bug", "complaint", "feature_request", "refund", "vip")
PLANS = ("basic", "pro", "enterprise")
PLAN_SHARE = (0.6, 0.3, 0.1)
PLAN_REVENUE = (29.0, 99.0, 499.0)  # monthly
# Bigger accounts have more users, so more tickets per customer.
PLAN_CONTACTS = (1.0, 1.5, 3.0)
MONTHLY_CHURN = 0.025
# Relative arrivals per weekday (Mon..Sun) and per local hour of day.
WEEKDAY_LOAD = (1.15, 1.1, 1.05, 1.0, 0.9, 0.35, 0.3)
HOUR_LOAD = (
    0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.45, 0.8, 1.3, 1.6, 1.65, 1.55,
    1.3, 1.45, 1.5, 1.4, 1.25, 1.0, 0.75, 0.6, 0.5, 0.4, 0.3, 0.2,
)  # fmt: skip
STATUS = {name: code for code, name in enumerate(TICKET_STATUSES)}
AUTHOR = {name: code for code, name in enumerate(AUTHORS)}
AGENT_NAMES = tuple(f"A{a:03d}" for a in range(len(GROUPS) * 10))
CLOSE_AFTER = 4 * 86400.0  # solved tickets close after four days, as helpdesks do
