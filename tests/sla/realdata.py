"""Loaders of the two real incident logs into Tickets, with the mappings of docs/sla.md."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

from cxmetrics import BusinessCalendar, PriorityChange, StatusChange, Ticket
from cxmetrics.sla.evaluate import evaluate_sla
from cxmetrics.sla.policy import SlaPolicy, SlaTarget

# BPIC 2013: the Wait sub-statuses stop the clock; waiting on the user or the
# customer is "pending", on a vendor or an implementation "on_hold".
VOLVO_STATUS = {
    ("Accepted", "In Progress"): "open",
    ("Accepted", "Assigned"): "open",
    ("Queued", "Awaiting Assignment"): "open",
    ("Accepted", "Wait - User"): "pending",
    ("Accepted", "Wait - Customer"): "pending",
    ("Accepted", "Wait - Vendor"): "on_hold",
    ("Accepted", "Wait - Implementation"): "on_hold",
    ("Accepted", "Wait"): "on_hold",
    ("Completed", "Resolved"): "solved",
    ("Completed", "In Call"): "solved",
    ("Completed", "Cancelled"): "solved",
    ("Completed", "Closed"): "closed",
}
VOLVO_PRIORITY = {"Low": "low", "Medium": "normal", "High": "high", "Major": "urgent"}

SERVICENOW_STATUS = {
    "New": "new",
    "Active": "open",
    "Awaiting User Info": "pending",
    "Awaiting Evidence": "pending",
    "Awaiting Vendor": "on_hold",
    "Awaiting Problem": "on_hold",
    "Resolved": "solved",
    "Closed": "closed",
}
SERVICENOW_PRIORITY = {"1": "urgent", "2": "high", "3": "normal", "4": "low"}


def _statuses(events: list[tuple[datetime, str]]) -> list[StatusChange]:
    """Status changes without repeats; a close followed by more work counts as a solve."""
    out: list[tuple[datetime, str]] = []
    for at, status in events:
        if out and out[-1][1] == status:
            continue
        if out and out[-1][1] == "closed":
            out[-1] = (out[-1][0], "solved")
        out.append((at, status))
    return [StatusChange(at=at, status=status) for at, status in out]


def _priorities(events: list[tuple[datetime, str]]) -> list[PriorityChange]:
    out: list[tuple[datetime, str]] = []
    for at, priority in events:
        if not out or out[-1][1] != priority:
            out.append((at, priority))
    return [PriorityChange(at=at, priority=p) for at, p in out]


def load_volvo(path: Path) -> list[Ticket]:
    """BPIC 2013 incidents: created at the first event; impact history as priorities."""
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["SR Number"]].append(row)
    tickets = []
    for number, events in rows.items():
        timed = sorted(
            ((datetime.fromisoformat(r["Change Date+Time"]), r) for r in events),
            key=lambda pair: pair[0],
        )
        created = timed[0][0]
        statuses = [
            (at, VOLVO_STATUS[(r["Status"], r["Sub Status"])])
            for at, r in timed
            if (r["Status"], r["Sub Status"]) in VOLVO_STATUS
        ]
        priorities = [(at, VOLVO_PRIORITY[r["SR Latest Impact"]]) for at, r in timed]
        tickets.append(
            Ticket(
                id=number,
                created_at=created,
                channel="phone",
                group=timed[0][1]["Involved ST"],
                status_changes=_statuses(statuses),
                priority_changes=_priorities(priorities),
            )
        )
    return tickets


@cache
def _servicenow_time(text: str) -> datetime:
    # Day-first, minute precision, no zone: read as UTC (the log gives none).
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=timezone.utc)


def load_servicenow(path: Path) -> tuple[list[Ticket], dict[str, bool]]:
    """ServiceNow incidents and each one's final ``made_sla`` flag."""
    rows: dict[str, list[list[str]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        col = {name: header.index(name) for name in header[::-1]}
        for row in reader:
            rows[row[col["number"]]].append(row)
    tickets: list[Ticket] = []
    made: dict[str, bool] = {}
    for number, events in rows.items():
        created = _servicenow_time(events[0][col["opened_at"]])
        # Updates keep file order within a minute; none may precede the opening.
        timed = sorted(
            enumerate(events),
            key=lambda pair: (_servicenow_time(pair[1][col["sys_updated_at"]]), pair[0]),
        )
        statuses = []
        for _, r in timed:
            state = SERVICENOW_STATUS.get(r[col["ident_state"]])
            if state is not None:
                statuses.append((max(_servicenow_time(r[col["sys_updated_at"]]), created), state))
        # The priority of each update, from the opening: its history.
        priorities = [
            (
                max(_servicenow_time(r[col["sys_updated_at"]]), created),
                SERVICENOW_PRIORITY[r[col["priority"]]],
            )
            for _, r in timed
        ]
        priorities[0] = (created, priorities[0][1])
        fields: dict[str, Any] = {}
        if events[-1][col["contact_type"]] != "?":
            fields["channel"] = events[-1][col["contact_type"]].lower().replace(" ", "_")
        tickets.append(
            Ticket(
                id=number,
                created_at=created,
                status_changes=_statuses(statuses),
                priority_changes=_priorities(priorities),
                **fields,
            )
        )
        made[number] = timed[-1][1][col["made_sla"]] == "true"
    return tickets, made


# --- the documented policies of docs/sla.md ---------------------------------------

HOUR = 3600

# Volvo IT Belgium publishes no targets: impact-based resolution targets in
# business hours of a Brussels 08:00-18:00 weekday calendar, paused in Wait-*.
VOLVO_POLICY = SlaPolicy(
    name="volvo-resolution",
    calendar=BusinessCalendar("Europe/Brussels", {"mon-fri": "08:00-18:00"}),
    targets=[
        SlaTarget("resolution", 4 * HOUR, "urgent"),
        SlaTarget("resolution", 10 * HOUR, "high"),
        SlaTarget("resolution", 30 * HOUR, "normal"),
        SlaTarget("resolution", 50 * HOUR, "low"),
    ],
    pause_statuses=("pending", "on_hold"),
)

# Priority-based resolution targets in calendar time, in the style of
# ServiceNow's sample "Priority N resolution" SLA definitions (the log's own
# targets are not published), paused while awaiting the user, a vendor, a
# problem or evidence.
SERVICENOW_POLICY = SlaPolicy(
    name="servicenow-resolution",
    targets=[
        SlaTarget("resolution", 8 * HOUR, "urgent", business_hours=False),
        SlaTarget("resolution", 24 * HOUR, "high", business_hours=False),
        SlaTarget("resolution", 72 * HOUR, "normal", business_hours=False),
        SlaTarget("resolution", 120 * HOUR, "low", business_hours=False),
    ],
    pause_statuses=("pending", "on_hold"),
)


def last_event(tickets: list[Ticket]) -> datetime:
    """The end of a log: its last status change (the instant to evaluate at)."""
    return max(t.status_changes[-1].at if t.status_changes else t.created_at for t in tickets)


def servicenow_agreement(
    tickets: list[Ticket], made: dict[str, bool], policy: SlaPolicy
) -> dict[str, Any]:
    """How often ``policy``'s verdict agrees with the log's ``made_sla``, overall and by priority."""
    import numpy as np

    out = evaluate_sla(tickets, policy, as_of=last_event(tickets))
    status = out["status"]
    settled = np.isin(status, ["achieved", "breached"])
    ours = status[settled] == "achieved"
    theirs = np.array([made[i] for i in out["ticket_id"][settled]], dtype=bool)
    priority = out["priority"][settled]
    result: dict[str, Any] = {
        "n": int(settled.sum()),
        "agreement": float((ours == theirs).mean()),
        "ours": float(ours.mean()),
        "theirs": float(theirs.mean()),
        "we_met_they_missed": int((ours & ~theirs).sum()),
        "we_missed_they_met": int((~ours & theirs).sum()),
        "by_priority": {},
    }
    for p in ("urgent", "high", "normal", "low"):
        rows = priority == p
        result["by_priority"][p] = {
            "n": int(rows.sum()),
            "agreement": float((ours[rows] == theirs[rows]).mean()),
            "ours": float(ours[rows].mean()),
            "theirs": float(theirs[rows].mean()),
        }
    return result


def main() -> None:
    """Print the real-data figures quoted in docs/sla.md."""
    import json

    from cxmetrics.sla.compliance import sla_compliance

    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    volvo = load_volvo(data / "bpic2013_volvo_incidents" / "VINST-new.csv")
    for pauses in (VOLVO_POLICY.pause_statuses, ()):
        policy = VOLVO_POLICY.model_copy(update={"pause_statuses": pauses})
        table = sla_compliance(volvo, policy, by="priority", as_of=last_event(volvo))
        print(f"BPIC 2013, pauses={pauses}")
        print(table.to_pandas().to_string(index=False))
    tickets, made = load_servicenow(data / "uci_servicenow_incident_log" / "incident_event_log.csv")
    for pauses in (SERVICENOW_POLICY.pause_statuses, ()):
        policy = SERVICENOW_POLICY.model_copy(update={"pause_statuses": pauses})
        print(f"ServiceNow, pauses={pauses}")
        print(json.dumps(servicenow_agreement(tickets, made, policy), indent=1))


if __name__ == "__main__":
    main()
