"""Who gets in touch and when: customers' lifetimes, ticket arrivals, ticket customers.

The first draws of :func:`cxmetrics.datasets.generate`: the customers with their
plans and how often they write, the tickets' creation instants by the team's
weekday × hour load, and each ticket's customer among those active at the time.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from cxmetrics.datasets.columns import _names
from cxmetrics.datasets.shapes import (
    HOUR_LOAD,
    MONTHLY_CHURN,
    PLAN_CONTACTS,
    PLAN_REVENUE,
    PLAN_SHARE,
    PLANS,
    WEEKDAY_LOAD,
    FloatArray,
)
from cxmetrics.datasets.tables import CustomerTable


def _customers(
    rng: np.random.Generator, n: int, start: datetime, end: datetime
) -> tuple[CustomerTable, npt.NDArray[np.int64], FloatArray]:
    """Lifetimes, plans and how often each customer gets in touch.

    Customers join evenly from two years before the window to its end and churn
    at 2.5 % a month (exponential lifetimes, so about a quarter of those who
    joined over two years are gone, as in the telco churn data). Returns the
    table, the plan codes and a contact propensity: log-normal between customers
    (a few write often) and higher on bigger plans.
    """
    first = start.timestamp() - 2 * 365 * 86400.0
    t_end = end.timestamp()
    since = np.floor(rng.uniform(first, t_end, size=n))
    until = since + np.round(rng.exponential(30 * 86400.0 / MONTHLY_CHURN, size=n))
    until = np.where(until < t_end, until, np.nan)  # still a customer at the export
    plan = rng.choice(len(PLANS), size=n, p=PLAN_SHARE)
    propensity = rng.lognormal(0.0, 1.0, size=n) * np.asarray(PLAN_CONTACTS)[plan]
    table = CustomerTable(
        id=_names("U", n, width=6),
        since=since,
        until=until,
        segment=np.array(PLANS, dtype=object)[plan],
        revenue=np.asarray(PLAN_REVENUE)[plan],
    )
    return table, plan, propensity


def _ticket_customers(
    rng: np.random.Generator,
    created: FloatArray,
    customers: CustomerTable,
    propensity: FloatArray,
) -> npt.NDArray[np.int64]:
    """Pick each ticket's customer by propensity among those active when it is created.

    Rejection sampling: draw by propensity, redraw the tickets whose customer had
    not joined yet or had already left. Each round only touches the rejects, and
    most tickets are placed in the first few.
    """
    n = created.size
    chosen = np.zeros(n, dtype=np.int64)
    cdf = np.cumsum(propensity)
    todo = np.arange(n)
    for _ in range(64):
        if todo.size == 0:
            break
        draw = np.searchsorted(cdf, rng.uniform(0.0, cdf[-1], size=todo.size), side="right")
        pick = np.minimum(draw, cdf.size - 1)
        moment = created[todo]
        # ``until`` is exclusive; a NaN one (still a customer) compares False.
        active = (customers.since[pick] <= moment) & ~(customers.until[pick] <= moment)
        chosen[todo[active]] = pick[active]
        todo = todo[~active]
    # Vanishingly rare with real sizes (or a handful of customers): the customer
    # who joined first.
    chosen[todo] = int(np.argmin(customers.since))
    return chosen


def _arrival_times(
    rng: np.random.Generator, n: int, start: datetime, days: int, zone: str
) -> FloatArray:
    """Draw ``n`` creation instants in ``[start, start + days)`` by the weekday × hour load.

    The load of each hour of the window is that of its local weekday and hour in
    ``zone``, so the pattern follows the team's clock, across DST changes too.
    """
    tz = ZoneInfo(zone)
    t0 = start.timestamp()
    hours = days * 24
    instants = t0 + 3600.0 * np.arange(hours)
    # A short loop over the hours of the window (not over tickets).
    weights = np.empty(hours)
    for h in range(hours):
        local = datetime.fromtimestamp(instants[h], tz)
        weights[h] = WEEKDAY_LOAD[local.weekday()] * HOUR_LOAD[local.hour]
    chosen = rng.choice(hours, size=n, p=weights / weights.sum())
    # Whole seconds, as exports have them: instants then survive a round trip
    # through datetime exactly.
    created = np.floor(instants[chosen] + rng.uniform(0.0, 3600.0, size=n))
    return np.sort(created)
