"""Record validation: every rule of the models, with the exact messages users see."""

from __future__ import annotations

import math
import pickle
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cxmetrics import (
    Assignment,
    Call,
    Customer,
    Message,
    PriorityChange,
    RecordValidationError,
    StatusChange,
    SurveyResponse,
    Ticket,
    validate_records,
)

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> list[tuple[str, str]]:
    return [(".".join(map(str, e["loc"])), e["type"]) for e in exc.value.errors()]


# --- time -------------------------------------------------------------------------


def test_naive_datetime_is_rejected_with_the_fix() -> None:
    with pytest.raises(ValidationError, match=r"has no timezone.*value\.replace\(tzinfo=") as exc:
        Ticket(id="A", created_at=datetime(2024, 3, 1, 9))
    assert errors_of(exc) == [("created_at", "naive_datetime")]


def test_instants_are_normalised_to_utc() -> None:
    paris = datetime(2024, 3, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
    ticket = Ticket(id="A", created_at=paris)
    assert ticket.created_at == T0
    assert ticket.created_at.tzinfo == timezone.utc


def test_iso_strings_with_offsets_are_accepted() -> None:
    assert Ticket(id=1, created_at="2024-03-01T10:00:00+01:00").created_at == T0


def test_hour_only_offsets_are_read_and_impossible_ones_rejected() -> None:
    # ISO 8601 "+01" is +01:00 (T0 is 09:00Z); offsets of a day or more are errors.
    assert Ticket(id=1, created_at="2024-03-01T10:00:00+01").created_at == T0
    assert Ticket(id=1, created_at="2024-03-01 06:00-03").created_at == T0
    for text in ("2024-03-01T10:00:00+25:00", "2024-03-01T10:00:00+25", "2024-03-01T10+1"):
        with pytest.raises(ValidationError):
            Ticket(id=1, created_at=text)


@given(st.datetimes(timezones=st.timezones(), allow_imaginary=False))
def test_same_instant_in_any_zone_gives_equal_records(moment: datetime) -> None:
    utc = moment.astimezone(timezone.utc)
    assert Ticket(id="x", created_at=moment) == Ticket(id="x", created_at=utc)


# --- ticket history ---------------------------------------------------------------


def test_events_before_creation_are_named() -> None:
    with pytest.raises(
        ValidationError,
        match=r"interactions\[0\]\.at \(2024-03-01T08:00:00\+00:00\) is before created_at "
        r"\(2024-03-01T09:00:00\+00:00\)",
    ):
        Ticket(
            id="A",
            created_at=T0,
            interactions=[{"at": T0 - timedelta(hours=1), "author": "customer"}],
        )
    with pytest.raises(ValidationError, match=r"status_changes\[0\]\.at"):
        Ticket(id="A", created_at=T0, status_changes=[{"at": T0 - timedelta(1), "status": "open"}])
    with pytest.raises(ValidationError, match=r"solved_at \(.*\) is before created_at"):
        Ticket(id="A", created_at=T0, solved_at=T0 - timedelta(seconds=1))


def test_histories_are_sorted_stably() -> None:
    late, early = T0 + timedelta(hours=2), T0 + timedelta(hours=1)
    ticket = Ticket(
        id="A",
        created_at=T0,
        interactions=[Message(at=late, author="agent"), Message(at=early, author="customer")],
        status_changes=[
            StatusChange(at=late, status="solved"),
            StatusChange(at=early, status="open"),
        ],
    )
    assert [m.at for m in ticket.interactions] == [early, late]
    assert [c.status for c in ticket.status_changes] == ["open", "solved"]


def test_status_is_taken_from_history_when_not_given() -> None:
    ticket = Ticket(id="A", created_at=T0, status_changes=[StatusChange(at=T0, status="pending")])
    assert ticket.status == "pending"


def test_status_contradicting_history_is_rejected() -> None:
    with pytest.raises(
        ValidationError,
        match=r"status 'open' contradicts status_changes, whose last change "
        r"\(2024-03-01T10:00:00\+00:00\) is to 'solved'",
    ):
        Ticket(
            id="A",
            created_at=T0,
            status="open",
            status_changes=[StatusChange(at=T0 + timedelta(hours=1), status="solved")],
        )


def test_closed_is_final() -> None:
    with pytest.raises(
        ValidationError, match=r"status_changes\[1\] moves a closed ticket to 'open'"
    ):
        Ticket(
            id="A",
            created_at=T0,
            status_changes=[
                StatusChange(at=T0 + timedelta(hours=1), status="closed"),
                StatusChange(at=T0 + timedelta(hours=2), status="open"),
            ],
        )


def test_priority_history() -> None:
    raised = PriorityChange(at=T0 + timedelta(hours=1), priority="urgent")
    assert Ticket(id="A", created_at=T0, priority_changes=[raised]).priority == "urgent"
    with pytest.raises(ValidationError, match=r"priority 'low' contradicts priority_changes"):
        Ticket(id="A", created_at=T0, priority="low", priority_changes=[raised])


def test_flat_milestones_must_agree_with_history() -> None:
    reply = Message(at=T0 + timedelta(minutes=30), author="agent")
    ok = Ticket(id="A", created_at=T0, interactions=[reply], first_reply_at=reply.at)
    assert ok.first_reply_at == reply.at
    with pytest.raises(
        ValidationError,
        match=r"first_reply_at \(2024-03-01T09:10:00\+00:00\) is not the time of any public "
        r"agent or bot interaction in interactions \(earliest: 2024-03-01T09:30:00\+00:00\)",
    ):
        Ticket(
            id="A", created_at=T0, interactions=[reply], first_reply_at=T0 + timedelta(minutes=10)
        )
    with pytest.raises(
        ValidationError, match=r"solved_at .* is not the time of any change to solved"
    ):
        Ticket(
            id="A",
            created_at=T0,
            status_changes=[StatusChange(at=T0 + timedelta(hours=1), status="solved")],
            solved_at=T0 + timedelta(hours=2),
        )


def test_unknown_enum_values_list_the_allowed_ones() -> None:
    with pytest.raises(
        ValidationError,
        match=r"Input should be 'new', 'open', 'pending', 'on_hold', 'solved' or 'closed'",
    ):
        Ticket(id="A", created_at=T0, status="done")
    with pytest.raises(ValidationError, match=r"'customer', 'agent', 'bot' or 'system'"):
        Message(at=T0, author="robot")
    with pytest.raises(ValidationError, match=r"'low', 'normal', 'high' or 'urgent'"):
        Ticket(id="A", created_at=T0, priority="critical")


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted") as exc:
        Ticket(id="A", created_at=T0, solvedat=T0)
    assert errors_of(exc) == [("solvedat", "extra_forbidden")]


def test_records_are_frozen_hashable_and_picklable() -> None:
    ticket = Ticket(
        id=7,
        created_at=T0,
        tags=("vip",),
        interactions=[Message(at=T0, author="customer"), Call(at=T0, talk=60)],
        assignments=[Assignment(at=T0, group="billing")],
    )
    assert ticket.id == "7"
    assert pickle.loads(pickle.dumps(ticket)) == ticket
    assert hash(ticket) == hash(Ticket(**ticket.model_dump()))
    with pytest.raises(ValidationError):
        ticket.status = "closed"  # type: ignore[misc]


def test_interaction_dicts_are_told_apart() -> None:
    ticket = Ticket(
        id="A",
        created_at=T0,
        interactions=[{"at": T0, "author": "customer"}, {"at": T0, "talk": 60}],
    )
    assert [type(i).__name__ for i in ticket.interactions] == ["Message", "Call"]
    assert ticket.messages[0].author == "customer" and ticket.calls[0].talk == timedelta(minutes=1)


# --- calls ------------------------------------------------------------------------


def test_call_negative_duration() -> None:
    with pytest.raises(ValidationError, match=r"duration of -5 s is negative") as exc:
        Call(at=T0, wait=-5)
    assert errors_of(exc) == [("wait", "negative_duration")]


def test_call_answered_and_abandoned() -> None:
    with pytest.raises(ValidationError, match=r"cannot be both abandoned and answered"):
        Call(at=T0, abandoned=True, talk=timedelta(seconds=30))
    assert Call(at=T0, abandoned=True, wait=40).handle_time == timedelta(0)


# --- surveys ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "score", "scale", "message"),
    [
        ("csat", 6, None, "csat score 6 is outside the 5-point scale 1-5"),
        ("csat", 0, 5, "csat score 0 is outside the 5-point scale 1-5"),
        ("nps", 11, None, "nps score 11 is outside the 10-point scale 0-10"),
        ("nps", 7.5, None, "nps score 7.5 must be a whole number"),
        ("ces", 8, 7, "ces score 8 is outside the 7-point scale 1-7"),
        ("ces", 3, 6, "a ces scale must be one of 5, 7, got 6"),
        ("review", 6, None, "review score 6 is outside the 5-point scale 1-5"),
    ],
)
def test_survey_score_outside_scale(
    kind: str, score: float, scale: int | None, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        SurveyResponse(kind=kind, score=score, scale=scale)


def test_survey_default_scales() -> None:
    assert [SurveyResponse(kind=k, score=1).scale for k in ("csat", "ces", "nps", "review")] == [
        5,
        7,
        10,
        5,
    ]
    assert SurveyResponse(kind="review", score=4.5).score == 4.5


# --- customers --------------------------------------------------------------------


def test_customer_leaving_before_joining() -> None:
    with pytest.raises(
        ValidationError, match=r"until \(.*\) is before since .*cannot leave before joining"
    ):
        Customer(id="c", since=T0, until=T0 - timedelta(days=1))
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        Customer(id="c", since=T0, revenue=-1)


# --- bulk validation ----------------------------------------------------------------


def test_bulk_validation_reports_every_bad_record() -> None:
    rows = [
        {"id": "A", "created_at": "2024-03-01T09:00:00Z"},
        {"id": "B", "created_at": "2024-03-01T09:00:00"},
        {"id": "C", "created_at": "2024-03-01T09:00:00Z", "status": "done", "priority": "p1"},
        {"id": "D", "created_at": "2024-03-01T09:00:00Z", "solved_at": "2024-03-01T08:00:00Z"},
    ]
    with pytest.raises(RecordValidationError) as exc:
        validate_records(Ticket, rows)
    message = str(exc.value)
    assert message.startswith("3 invalid Ticket records out of 4:")
    assert "record 1 (id='B'): created_at: datetime 2024-03-01T09:00:00 has no timezone" in message
    assert "record 2 (id='C'): status: Input should be" in message and "[got 'done']" in message
    assert "record 2 (id='C'): priority:" in message
    assert (
        "record 3 (id='D'): solved_at: solved_at (2024-03-01T08:00:00+00:00) is before" in message
    )
    assert [(e["position"], e["field"], e["type"]) for e in exc.value.errors] == [
        (1, "created_at", "naive_datetime"),
        (2, "priority", "literal_error"),
        (2, "status", "literal_error"),
        (3, "solved_at", "before_creation"),
    ]


def test_bulk_validation_returns_valid_records_in_order() -> None:
    existing = Ticket(id="Z", created_at=T0)
    result = validate_records(Ticket, [{"id": "A", "created_at": T0}, existing])
    assert [t.id for t in result] == ["A", "Z"]
    assert result[1] is existing


def test_bulk_validation_caps_the_message_but_keeps_all_errors() -> None:
    rows = [{"id": str(i), "created_at": "2024-03-01T09:00:00"} for i in range(30)]
    with pytest.raises(RecordValidationError, match=r"… and 10 more \(see error\.errors\)") as exc:
        validate_records(Ticket, rows)
    assert len(exc.value.errors) == 30


# Issue 13: values the models used to keep or read as something else.
@pytest.mark.parametrize("revenue", [math.nan, math.inf, True])
def test_customer_revenue_must_be_a_finite_number(revenue: float) -> None:
    with pytest.raises(ValidationError, match="revenue"):
        Customer(id="a", since=T0, revenue=revenue)


@pytest.mark.parametrize("score", [True, False, math.nan, math.inf])
def test_survey_score_is_never_a_boolean_or_nan(score: float) -> None:
    with pytest.raises(ValidationError, match="score"):
        SurveyResponse(kind="csat", score=score)


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_ids_are_refused(blank: str) -> None:
    with pytest.raises(ValidationError, match="id cannot be empty or blank"):
        Ticket(id=blank, created_at=T0)
    with pytest.raises(ValidationError, match="id cannot be empty or blank"):
        Customer(id=blank, since=T0)
    with pytest.raises(ValidationError, match="id cannot be empty or blank"):
        Ticket(id="t", created_at=T0, customer_id=blank)


def test_epoch_milliseconds_read_as_the_tables_read_them() -> None:
    assert (
        Ticket(id="t", created_at=1709283600000).created_at
        == Ticket(id="t", created_at=1709283600).created_at
    )
