"""Issue 19: flat exports (no status history) and tickets created before or at 1970.

Expected outcomes are worked out by hand on a Monday-Friday 09:00-17:00 UTC
calendar; 2024-03-04 is a Monday and 1970-01-01 a Thursday.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cxmetrics import BusinessCalendar, Message, Ticket
from cxmetrics.cli import main
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.policy import SlaPolicy, SlaTarget

UTC = timezone.utc
MON = datetime(2024, 3, 4, 9, tzinfo=UTC)
AS_OF = datetime(2024, 4, 1, tzinfo=UTC)


def policy() -> SlaPolicy:
    calendar = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"})
    return SlaPolicy(
        "std",
        calendar,
        [SlaTarget("first_reply", "PT4H"), SlaTarget("resolution", "PT8H")],
    )


def rows(outcomes: object) -> dict[tuple[str, str], dict[str, object]]:
    table = outcomes.to_dict()  # type: ignore[attr-defined]
    keys = list(table)
    return {
        (row["ticket_id"], row["metric"]): row
        for row in (
            dict(zip(keys, values, strict=True)) for values in zip(*table.values(), strict=True)
        )
    }


# --- flat exports -----------------------------------------------------------------------

# A: replied after 2 business hours, solved after 3: both targets achieved.
# B: replied Tuesday 15:00 (8 + 6 = 14 business hours), solved Tuesday 16:00
#    (15 business hours): both breached. C: open, replied at 10:00, not solved.
FLAT_CSV = (
    "id,created_at,status,first_reply_at,solved_at\n"
    "A,2024-03-04T09:00:00Z,solved,2024-03-04T11:00:00Z,2024-03-04T12:00:00Z\n"
    "B,2024-03-04T09:00:00Z,solved,2024-03-05T15:00:00Z,2024-03-05T16:00:00Z\n"
    "C,2024-03-04T09:00:00Z,open,2024-03-04T10:00:00Z,\n"
)


def flat_batch():  # type: ignore[no-untyped-def]
    pandas = pytest.importorskip("pandas")
    from cxmetrics.io import to_ticket_batch

    frame = pandas.DataFrame(
        {
            "id": ["A", "B", "C"],
            "created_at": [MON] * 3,
            "status": ["solved", "solved", "open"],
            "first_reply_at": [
                MON + timedelta(hours=2),
                MON + timedelta(days=1, hours=6),
                MON + timedelta(hours=1),
            ],
            "solved_at": [MON + timedelta(hours=3), MON + timedelta(days=1, hours=7), None],
        }
    )
    return to_ticket_batch(frame)


def test_a_flat_export_without_status_history_is_evaluated() -> None:
    batch = flat_batch()
    assert len(batch.status_changes) == 0
    tuesday_5pm = MON + timedelta(days=1, hours=8)
    out = rows(evaluate_sla(batch, policy(), as_of=tuesday_5pm))
    hour = timedelta(hours=1)
    assert out["A", "first_reply"]["status"] == "achieved"
    assert out["A", "first_reply"]["due_at"] == MON + 4 * hour
    assert out["A", "first_reply"]["business_time_used"] == 2 * hour
    assert out["A", "resolution"]["status"] == "achieved"
    assert out["A", "resolution"]["completed_at"] == MON + 3 * hour
    assert out["A", "resolution"]["business_time_used"] == 3 * hour
    assert out["B", "first_reply"]["status"] == "breached"
    assert out["B", "first_reply"]["business_time_used"] == 14 * hour
    assert out["B", "resolution"]["status"] == "breached"
    assert out["B", "resolution"]["due_at"] == MON + 8 * hour  # Monday 17:00
    assert out["B", "resolution"]["business_time_used"] == 15 * hour
    assert out["C", "first_reply"]["status"] == "achieved"
    assert out["C", "first_reply"]["business_time_used"] == hour
    # C is still open on Tuesday at 17:00, 16 business hours after its creation:
    # breached at Monday 17:00, 8 hours over.
    assert out["C", "resolution"]["status"] == "breached"
    assert out["C", "resolution"]["completed_at"] is None
    assert out["C", "resolution"]["due_at"] == MON + 8 * hour
    assert out["C", "resolution"]["business_time_used"] == 16 * hour
    assert out["C", "resolution"]["time_left"] == -8 * hour


POLICY_TOML = (
    'name = "standard"\n[calendar]\ntimezone = "UTC"\nhours = { mon-fri = "09:00-17:00" }\n'
    '[[targets]]\nmetric = "first_reply"\nwithin = "PT4H"\n'
    '[[targets]]\nmetric = "resolution"\nwithin = "PT8H"\n'
)


def test_the_cli_reports_sla_compliance_of_a_flat_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyarrow")
    folder = tmp_path / "export"
    folder.mkdir()
    # Only the completed tickets, so the result does not depend on today's date:
    # A achieves both targets, B breaches both: 2 of 4.
    (folder / "tickets.csv").write_text("".join(FLAT_CSV.splitlines(keepends=True)[:3]))
    (tmp_path / "sla.toml").write_text(POLICY_TOML)
    status = main(
        ["report", str(folder / "tickets.csv"), "--metrics", "ticket_volume",
         "--sla", str(tmp_path / "sla.toml"), "--format", "json"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "Traceback" not in captured.err
    report = json.loads(captured.out)["rows"]
    sla = next(r for r in report if r["metric"] == "sla_compliance")
    assert sla["n"] == 4
    assert sla["value"] == 0.5


# --- instants at or before 1970 -----------------------------------------------------------


def test_a_ticket_created_at_the_epoch_does_not_change_other_verdicts() -> None:
    # Answered after 30 hours (Monday 09:00 to Tuesday 15:00: 14 business hours)
    # against a 4-hour target: breached, due Monday 13:00.
    late = Ticket(id="late", created_at=MON, interactions=[
        Message(at=MON + timedelta(hours=30), author="agent")])  # fmt: skip
    placeholder = Ticket(id="null", created_at=datetime(1970, 1, 1, tzinfo=UTC))
    target = SlaPolicy("std", policy().calendar, [SlaTarget("first_reply", "PT4H")])
    alone = rows(evaluate_sla([late], target, as_of=AS_OF))
    both = rows(evaluate_sla([late, placeholder], target, as_of=AS_OF))
    for out in (alone, both):
        assert out["late", "first_reply"]["status"] == "breached"
        assert out["late", "first_reply"]["due_at"] == MON + timedelta(hours=4)
        assert out["late", "first_reply"]["business_time_used"] == timedelta(hours=14)
    # Thursday 1970-01-01 00:00: the clock starts at 09:00, so due at 13:00.
    assert both["null", "first_reply"]["status"] == "breached"
    assert both["null", "first_reply"]["due_at"] == datetime(1970, 1, 1, 13, tzinfo=UTC)


def test_tickets_before_1970_get_exact_due_times() -> None:
    # Friday 1969-12-26 16:00 + 4 business hours: 1 hour on Friday, 3 on Monday
    # 1969-12-29, due 12:00; replied Monday 11:00: achieved with 3 hours used.
    created = datetime(1969, 12, 26, 16, tzinfo=UTC)
    ticket = Ticket(id="old", created_at=created, interactions=[
        Message(at=datetime(1969, 12, 29, 11, tzinfo=UTC), author="agent")])  # fmt: skip
    target = SlaPolicy("std", policy().calendar, [SlaTarget("first_reply", "PT4H")])
    out = rows(evaluate_sla([ticket], target, as_of=AS_OF))["old", "first_reply"]
    assert out["due_at"] == datetime(1969, 12, 29, 12, tzinfo=UTC)
    assert out["business_time_used"] == timedelta(hours=3)
    assert out["status"] == "achieved"
