"""Hypothesis strategies for live contacts and customers (contact-center tests)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from cxmetrics import Call, Customer

T0 = datetime(2024, 3, 4, 8, tzinfo=timezone.utc)
UTC = timezone.utc


@st.composite
def calls(draw: Any, *, abandoned: bool | None = None) -> Call:
    """One live contact within a few days of T0, on whole seconds."""
    is_abandoned = draw(st.booleans()) if abandoned is None else abandoned
    seconds = st.integers(0, 900)
    return Call(
        at=T0 + timedelta(seconds=draw(st.integers(0, 5 * 86400))),
        id=draw(st.none() | st.sampled_from(["c1", "c2", "c3", "c4"])),
        customer_id=draw(st.none() | st.sampled_from(["a", "b", "c", "d", "e"])),
        queue=draw(st.sampled_from([None, "billing", "tech"])),
        channel=draw(st.sampled_from(["phone", "phone", "chat"])),
        wait=draw(st.integers(0, 300)),
        talk=0 if is_abandoned else draw(seconds),
        hold=0 if is_abandoned else draw(st.integers(0, 120)),
        wrap=0 if is_abandoned else draw(st.integers(0, 120)),
        abandoned=is_abandoned,
        transferred=False if is_abandoned else draw(st.booleans()),
        direction=draw(st.sampled_from(["inbound", "inbound", "inbound", "outbound"])),
    )


call_lists = st.lists(calls(), max_size=15)


@st.composite
def customers(draw: Any) -> Customer:
    """A customer lifetime around 2024 (some still active), with segment and revenue."""
    since = datetime(2023, 6, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 400)))
    lifetime = draw(st.none() | st.integers(0, 300))
    until = None if lifetime is None else since + timedelta(days=lifetime)
    return Customer(
        id=str(draw(st.integers(0, 10**9))),
        since=since,
        until=until,
        segment=draw(st.sampled_from([None, "basic", "pro"])),
        revenue=draw(st.none() | st.integers(0, 500)),
    )


customer_lists = st.lists(customers(), max_size=20)
