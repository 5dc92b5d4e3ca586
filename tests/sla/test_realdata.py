"""SLA evaluation on the real incident logs (skipped without ../shared/data).

BPIC 2013 (Volvo IT Belgium): its Wait-* sub-statuses pause the resolution clock.
ServiceNow (UCI 498): the verdict of a documented policy against the log's own
``made_sla`` flag; the agreement is reported in docs/sla.md, not forced.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from cxmetrics import Ticket
from cxmetrics.sla.evaluate import evaluate_sla

from tests.sla.realdata import (
    SERVICENOW_POLICY,
    VOLVO_POLICY,
    last_event,
    load_servicenow,
    load_volvo,
    servicenow_agreement,
)

pytestmark = pytest.mark.realdata
RESOLVED = ("solved", "closed")


@pytest.fixture(scope="module")
def volvo(shared_data: Path) -> list[Ticket]:
    return load_volvo(shared_data / "bpic2013_volvo_incidents" / "VINST-new.csv")


@pytest.fixture(scope="module")
def servicenow(shared_data: Path) -> tuple[list[Ticket], dict[str, bool]]:
    return load_servicenow(shared_data / "uci_servicenow_incident_log" / "incident_event_log.csv")


def _running_time(ticket: Ticket, calendar, pauses) -> float:
    """Business seconds the resolution clock ran, one status segment at a time."""
    solves = [c.at for c in ticket.status_changes if c.status in RESOLVED]
    end = solves[-1] if ticket.status in RESOLVED else None
    bounds = [(ticket.created_at, "new")] + [(c.at, c.status) for c in ticket.status_changes]
    used = timedelta(0)
    for (start, status), (stop, _) in zip(bounds, [*bounds[1:], (end, None)], strict=True):
        if stop is None or start >= end:
            break
        if status not in RESOLVED and status not in pauses:
            used += calendar.business_time(start, min(stop, end))
    return used.total_seconds()


class _WallClock:
    def business_time(self, start, end):
        return end - start


def test_volvo_wait_statuses_pause_the_resolution_clock(volvo):
    as_of = last_event(volvo)
    paused = evaluate_sla(volvo, VOLVO_POLICY, as_of=as_of)
    plain = evaluate_sla(volvo, VOLVO_POLICY.model_copy(update={"pause_statuses": ()}), as_of=as_of)
    assert len(paused) == len(plain) == len(volvo)
    assert paused["ticket_id"].tolist() == plain["ticket_id"].tolist()
    assert (paused["due_at"] >= plain["due_at"]).all()
    assert (paused["business_time_used"] <= plain["business_time_used"] + 1e-6).all()
    waited = {
        t.id for t in volvo if any(c.status in ("pending", "on_hold") for c in t.status_changes)
    }
    moved = set(paused["ticket_id"][paused["due_at"] > plain["due_at"]].tolist())
    assert moved <= waited and len(moved) > 1000
    counts = paused.status_counts()
    assert counts["achieved"] + counts["breached"] > 7500
    assert counts["achieved"] > plain.status_counts()["achieved"]


def test_volvo_business_time_used_matches_a_per_segment_sum(volvo):
    sample = volvo[::25]
    out = evaluate_sla(sample, VOLVO_POLICY, as_of=last_event(volvo))
    done = out["status"] != "paused"
    by_id = {t.id: t for t in sample}
    expected = np.array(
        [
            _running_time(by_id[i], VOLVO_POLICY.calendar, VOLVO_POLICY.pause_statuses)
            for i in out["ticket_id"][done]
        ]
    )
    np.testing.assert_allclose(out["business_time_used"][done], expected, rtol=0, atol=1e-6)


def test_servicenow_every_incident_gets_one_verdict(servicenow):
    tickets, made = servicenow
    out = evaluate_sla(tickets, SERVICENOW_POLICY, as_of=last_event(tickets))
    assert len(out) == len(tickets) == len(made) == 24_918
    assert sorted(out["ticket_id"].tolist()) == sorted(t.id for t in tickets)
    assert set(out["status"].tolist()) <= {"achieved", "breached", "active", "paused"}


def test_servicenow_calendar_time_verdicts_match_a_direct_computation(servicenow):
    tickets, _ = servicenow
    policy = SERVICENOW_POLICY.model_copy(update={"pause_statuses": ()})
    steady = [t for t in tickets if len(t.priority_changes) == 1 and t.status in RESOLVED]
    out = evaluate_sla(steady, policy, as_of=last_event(tickets))
    calendar_time = _WallClock()
    expected = []
    for ticket in steady:
        # No pauses: the clock runs whenever the ticket is not solved, so the
        # target is met exactly when the unsolved time up to the final solve fits.
        used = _running_time(ticket, calendar_time, ())
        target = policy.target_for("resolution", ticket.priority)
        assert target is not None
        expected.append(used <= target.seconds)
    assert ((out["status"] == "achieved") == np.array(expected)).all()


def test_servicenow_agreement_with_made_sla_is_reported(servicenow, capsys):
    tickets, made = servicenow
    result = servicenow_agreement(tickets, made, SERVICENOW_POLICY)
    disagree = result["we_met_they_missed"] + result["we_missed_they_met"]
    assert result["n"] == 24_918
    assert result["agreement"] == pytest.approx(1 - disagree / result["n"])
    assert result["theirs"] == pytest.approx(sum(made.values()) / len(made))
    assert sum(v["n"] for v in result["by_priority"].values()) == result["n"]
    with capsys.disabled():
        print(f"\nServiceNow made_sla agreement: {result['agreement']:.3f} over {result['n']}")
