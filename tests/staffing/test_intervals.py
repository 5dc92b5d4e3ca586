"""erlang_c_staffing: many intervals at once give ErlangC.required_agents for each one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxmetrics.staffing import ErlangC
from cxmetrics.staffing.intervals import erlang_c_staffing

HALF_HOUR = 1800.0
arrivals = st.lists(st.one_of(st.just(0.0), st.floats(0.01, 5000.0)), min_size=1, max_size=25)


@given(
    arrivals,
    st.floats(20.0, 900.0),
    st.sampled_from(
        [
            {"service_level": 0.8, "target": 20.0},
            {"asa": 30.0},
            {"max_occupancy": 0.9},
            {"service_level": 0.95, "target": 10.0, "asa": 5.0, "max_occupancy": 0.85},
        ]
    ),
)
def test_each_interval_is_required_agents(
    counts: list[float], aht: float, goals: dict[str, float]
) -> None:
    contacts = np.array(counts)
    traffic = contacts / HALF_HOUR * aht  # as ErlangC computes it
    result = erlang_c_staffing(traffic, np.full(contacts.size, aht), **goals)
    for i, arriving in enumerate(counts):
        if arriving == 0:
            assert result.agents[i] == 0 and result.service_level[i] == 1.0
            continue
        queue = ErlangC(arriving, HALF_HOUR, aht)
        n = queue.required_agents(
            goals.get("service_level"),
            goals.get("target"),
            asa=goals.get("asa"),
            max_occupancy=goals.get("max_occupancy"),
        )
        assert result.agents[i] == n
        assert result.occupancy[i] == pytest.approx(queue.occupancy(n), rel=1e-12)
        assert result.waiting_probability[i] == pytest.approx(
            queue.waiting_probability(n), rel=1e-9, abs=1e-300
        )
        assert result.asa_seconds[i] == pytest.approx(
            queue.average_speed_of_answer(n).total_seconds(), rel=1e-9, abs=1e-6
        )
        if "target" in goals:
            assert result.service_level[i] == pytest.approx(
                queue.service_level(n, goals["target"]), rel=1e-12
            )
