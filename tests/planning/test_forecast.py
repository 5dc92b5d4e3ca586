"""forecast_volume against series whose seasonal pattern is known."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta

import numpy as np
import pytest

from cxmetrics import BusinessCalendar, InvalidParameterError
from cxmetrics.planning import forecast_volume

from tests.planning.helpers import MONDAY, arrivals, pattern

WEEKS = 4


def exact_history(weeks: int = WEEKS) -> dict[str, np.ndarray]:
    return arrivals(np.tile(np.round(pattern()), weeks))


@pytest.mark.parametrize("method", ["seasonal_naive", "weekly_mean", "holt_winters", "auto"])
def test_a_repeating_week_is_forecast_exactly(method: str) -> None:
    as_of = MONDAY + timedelta(weeks=WEEKS)
    result = forecast_volume(
        exact_history(), interval="1h", horizon="14D", method=method, as_of=as_of
    )
    expected = np.tile(np.round(pattern()), 2)
    assert len(result) == 14 * 24
    tolerance = 1e-6 if method != "holt_winters" else 1e-3
    np.testing.assert_allclose(result.forecast, expected, rtol=tolerance, atol=tolerance)
    assert np.all(result.lower <= result.forecast + 1e-9)
    assert np.all(result.forecast <= result.upper + 1e-9)
    assert result.starts[0] == as_of


def test_poisson_noise_is_averaged_and_covered_at_the_level() -> None:
    rng = np.random.default_rng(7)
    truth = pattern()
    history = arrivals(rng.poisson(np.tile(truth, 8)).astype(float), seed=1)
    result = forecast_volume(
        history,
        interval="1h",
        horizon="7D",
        method="weekly_mean",
        level=0.8,
        as_of=MONDAY + timedelta(weeks=8),
    )
    busy = truth > 0
    # The mean of three weeks is closer to the truth than any one week is.
    error = np.abs(result.forecast - truth)[busy].mean()
    one_week = np.abs(
        np.asarray(
            np.bincount(
                ((history["at"] - MONDAY.timestamp()) // 3600).astype(int), minlength=8 * 168
            )[-168:],
            dtype=float,
        )
        - truth
    )[busy].mean()
    assert error < one_week
    # Fresh weeks drawn from the truth fall inside the 80 % band about 80 % of the time.
    fresh = rng.poisson(np.tile(truth, 50).reshape(50, -1))[:, busy]
    inside = (fresh >= result.lower[busy]) & (fresh <= result.upper[busy])
    assert 0.7 <= inside.mean() <= 0.92


def test_closed_hours_and_holidays_forecast_zero_and_do_not_echo() -> None:
    calendar = BusinessCalendar(
        "UTC",
        {"mon-fri": "08:00-18:00"},
        holidays=[date(2024, 1, 24)],  # a Wednesday
    )
    counts = np.tile(np.round(pattern()), WEEKS)
    holiday = slice((3 * 7 + 2) * 24, (3 * 7 + 3) * 24)  # Wednesday of the last week
    counts[holiday] = 0.0
    result = forecast_volume(
        arrivals(counts),
        interval="1h",
        horizon="7D",
        method="seasonal_naive",
        calendar=calendar,
        as_of=MONDAY + timedelta(weeks=WEEKS),
    )
    expected = np.round(pattern())
    expected[(np.arange(168) % 24 < 8) | (np.arange(168) % 24 >= 18)] = 0.0
    expected[5 * 24 :] = 0.0  # weekend: closed
    wednesday = slice(2 * 24, 3 * 24)
    np.testing.assert_allclose(result.forecast[wednesday], expected[wednesday], atol=1e-9)
    np.testing.assert_allclose(result.forecast, expected, atol=1e-9)
    assert not result.open[5 * 24 :].any()
    closed_next = forecast_volume(
        arrivals(counts),
        interval="1h",
        horizon="7D",
        method="seasonal_naive",
        calendar=BusinessCalendar("UTC", {"mon-fri": "08:00-18:00"}, holidays=[date(2024, 1, 31)]),
        as_of=MONDAY + timedelta(weeks=WEEKS),
    )
    assert closed_next.forecast[wednesday].sum() == 0.0


def test_table_shape() -> None:
    pytest.importorskip("pandas")
    frame = forecast_volume(
        exact_history(2), interval="30min", horizon="1D", as_of=MONDAY + timedelta(weeks=2)
    ).to_pandas()
    assert list(frame.columns) == ["forecast", "lower", "upper"]
    assert frame.index.name == "start_at"
    assert len(frame) == 48
    assert str(frame.index.tz) == "UTC"


def test_auto_without_statsmodels(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "statsmodels" else real(name, *a),
    )
    result = forecast_volume(
        exact_history(), interval="1h", horizon="1D", as_of=MONDAY + timedelta(weeks=WEEKS)
    )
    assert result.method in {"seasonal_naive", "weekly_mean"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "prophet"}, "'method' parameter"),
        ({"level": 1.0}, "'level' parameter"),
        ({"interval": "7min"}, "'interval' parameter"),
        ({"horizon": "soon"}, "'horizon' parameter"),
        ({"as_of": MONDAY + timedelta(days=3)}, "at least one week"),
        ({"method": "holt_winters", "as_of": MONDAY + timedelta(days=10)}, "two weeks"),
        ({"timezone": "Europe/Paris", "calendar": BusinessCalendar("UTC")}, "differs"),
    ],
)
def test_bad_parameters(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        forecast_volume(exact_history(), **{"interval": "1h", **options})  # type: ignore[arg-type]


def test_the_skipped_hour_of_spring_forward_is_not_an_interval() -> None:
    # Europe/Paris skips 02:00-03:00 on 2024-03-31: the forecast has 7 x 24 - 1 hours.
    history = arrivals(np.tile(np.round(pattern()), WEEKS), start=MONDAY + timedelta(weeks=8))
    as_of = MONDAY + timedelta(weeks=8 + WEEKS) - timedelta(hours=1)  # Mon 2024-03-25 00:00 CET
    result = forecast_volume(
        history, interval="1h", horizon="7D", timezone="Europe/Paris", method="weekly_mean",
        as_of=as_of,
    )  # fmt: skip
    assert len(result) == 7 * 24 - 1
    assert np.all(np.diff(result.start_at) == 3600.0)
    assert result.starts[0].isoformat() == "2024-03-25T00:00:00+01:00"
    assert result.starts[-1].isoformat() == "2024-03-31T23:00:00+02:00"


def test_tickets_are_counted_at_creation() -> None:
    from cxmetrics import Ticket

    counts = np.tile(np.round(pattern() / 5), 2)
    created = arrivals(counts)["at"]
    tickets = [
        Ticket(id=str(i), created_at=MONDAY.fromtimestamp(float(t), tz=MONDAY.tzinfo))
        for i, t in enumerate(created)
    ]
    result = forecast_volume(
        tickets,
        contacts="tickets",
        interval="1h",
        horizon="7D",
        method="seasonal_naive",
        as_of=MONDAY + timedelta(weeks=2),
    )
    np.testing.assert_allclose(result.forecast, counts[-168:], atol=1e-9)
    with pytest.raises(InvalidParameterError, match="'contacts' parameter"):
        forecast_volume(tickets, contacts="emails", interval="1h")  # type: ignore[arg-type]
