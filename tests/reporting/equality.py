"""Two reports equal up to float rounding: rows, totals, skipped, context, charts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cxmetrics import BusinessCalendar, SlaPolicy, SlaTarget
from cxmetrics.datasets import SyntheticData

from tests.metrics.contract import same_value


def _same_rows(got: Any, want: Any) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        key = (a.metric, a.period, a.segment)
        assert key == (b.metric, b.period, b.segment)
        assert (a.n, a.unit) == (b.n, b.unit), key
        for name in ("value", "low", "high", "change", "p_value"):
            assert same_value(getattr(a, name), getattr(b, name)), (key, name)
        assert same_value(dict(a.details), dict(b.details)), key


def assert_same_report(got: Any, want: Any) -> None:
    """``got`` (folded in parts) equals ``want`` (in process)."""
    assert got.skipped == want.skipped
    assert got.by == want.by
    _same_rows(got.rows, want.rows)
    _same_rows(got.totals, want.totals)
    # Significance: the same comparisons are flagged (p-values equal to rounding).
    assert [r.significant for r in got.rows] == [r.significant for r in want.rows]
    assert got.context == want.context
    # A partitioned report draws the trends; the two charts of raw tickets are left out.
    raw = ("Tickets per duration bin", "Local time")
    trends = [c.metric for c in want.charts if not c.caption.startswith(raw)]
    assert [c.metric for c in got.charts] == trends


def settings_of(data: SyntheticData) -> dict[str, Any]:
    """period=week, by=channel, a business calendar, an SLA policy, exact quantiles."""
    calendar = BusinessCalendar(timezone="Europe/Paris", hours={"mon-fri": "08:00-18:00"})
    policy = SlaPolicy(
        "standard",
        calendar,
        [
            SlaTarget(metric="first_reply", within=timedelta(hours=4)),
            SlaTarget(metric="resolution", within=timedelta(days=3)),
        ],
    )
    window = {"window": (data.start, data.end)}
    return {
        "period": "week",
        "by": "channel",
        "timezone": "Europe/Paris",
        "calendar": calendar,
        "sla": policy,
        "statistic": "p90",
        "params": {
            "sla_compliance": {"as_of": data.end},
            "backlog": {"as_of": data.end},
            "customer_lifetime": {"as_of": data.end},
            "churn_rate": window,
            "retention_rate": window,
            "revenue_churn_rate": window,
        },
    }
