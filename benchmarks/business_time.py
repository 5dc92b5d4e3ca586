"""Business-time benchmark: cxmetrics against the Python alternatives, in one run.

    python -m pip install -e ".[bench]"
    python benchmarks/business_time.py [--pairs 1000000]

Calendar: Mon-Fri 09:00-17:00 UTC with the US federal holidays of 2025 and 2026
(about ten a year). Pairs: starts uniform over 2025-2026, durations log-uniform from
one minute to 30 days ("ticket-like"), seed 42. Inputs are converted to each
package's own type before timing. Slow packages run on a subset and their
µs/interval is extrapolated (marked *). Results are checked pair by pair against
cxmetrics on the subset (and cxmetrics against the minute-walking oracle of the
test suite on a sample).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from cxmetrics.calendars import BusinessCalendar

UTC = timezone.utc
START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def holidays_2025_2026() -> list[date]:
    try:
        import holidays

        return sorted(d for d in holidays.country_holidays("US", years=[2025, 2026]))
    except ImportError:  # pragma: no cover - the bench extra installs it
        return [
            date(2025, 1, 1),
            date(2025, 7, 4),
            date(2025, 12, 25),
            date(2026, 1, 1),
            date(2026, 7, 3),
        ]


def pairs(n: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    span = (END - START).total_seconds()
    starts = START.timestamp() + np.floor(rng.uniform(0, span, n))
    minutes = np.exp(rng.uniform(np.log(1), np.log(30 * 24 * 60), n))
    ends = starts + np.floor(minutes * 60)
    return starts, ends


def best_of(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        if best > 2:
            break
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--subset", type=int, default=20_000, help="pairs for the slow packages")
    args = parser.parse_args()
    hol = holidays_2025_2026()
    starts, ends = pairs(args.pairs)
    calendar = BusinessCalendar("UTC", {"mon-fri": "09:00-17:00"}, hol)
    rows: list[tuple[str, str, float, int, str]] = []

    calendar.business_seconds(starts[:10], ends[:10])  # materialise the two years once
    seconds = best_of(lambda: calendar.business_seconds(starts, ends))
    ours = calendar.business_seconds(starts, ends)
    rows.append(("cxmetrics business_seconds (float epoch)", "between", seconds, args.pairs, ""))
    s64, e64 = starts.astype("datetime64[s]"), ends.astype("datetime64[s]")
    seconds = best_of(lambda: calendar.business_seconds(s64, e64))
    rows.append(("cxmetrics business_seconds (datetime64)", "between", seconds, args.pairs, ""))
    deltas = np.floor(
        np.exp(np.random.default_rng(7).uniform(np.log(60), np.log(30 * 8 * 3600), args.pairs))
    )
    seconds = best_of(lambda: calendar.add_seconds(starts, deltas))
    added = calendar.add_seconds(starts, deltas)
    rows.append(("cxmetrics add_seconds (float epoch)", "add", seconds, args.pairs, ""))

    n = min(args.subset, args.pairs)
    sub_s, sub_e = starts[:n], ends[:n]
    try:
        import workclock

        schedule = workclock.Schedule(
            [workclock.WorkDay(datetime.min.time().replace(hour=9), datetime.min.time().replace(hour=17)),
             workclock.Holidays(hol)],
            time_zone="UTC",
        )  # fmt: skip
        w_s = starts.astype("datetime64[s]").astype("datetime64[us]")
        w_e = ends.astype("datetime64[s]").astype("datetime64[us]")
        seconds = best_of(lambda: schedule.between_many(w_s, w_e), repeat=3)
        theirs = schedule.between_many(w_s, w_e).astype("timedelta64[us]").astype(np.int64) / 1e6
        rows.append(
            ("workclock between_many (numpy)", "between", seconds, args.pairs, _agree(ours, theirs))
        )
        w_d = deltas.astype("timedelta64[s]").astype("timedelta64[us]")
        seconds = best_of(lambda: schedule.add_many(w_s, w_d), repeat=3)
        theirs_add = schedule.add_many(w_s, w_d).astype("datetime64[us]").astype(np.int64) / 1e6
        rows.append(
            ("workclock add_many (numpy)", "add", seconds, args.pairs, _agree(added, theirs_add))
        )
    except ImportError:
        print("workclock not installed: pip install 'cxmetrics[bench]'", file=sys.stderr)

    try:
        import businesstimedelta as btd
        import pytz

        workday = btd.WorkDayRule(
            start_time=datetime.min.time().replace(hour=9),
            end_time=datetime.min.time().replace(hour=17),
            working_days=[0, 1, 2, 3, 4],
            tz=pytz.utc,
        )
        # A sentinel holiday within its 5-year look-ahead avoids a crash past the last one.
        rule = btd.Rules([workday, btd.HolidayRule({*hol, date(2029, 1, 1)}, tz=pytz.utc)])
        k = min(n, 2000)
        aware_s = [datetime.fromtimestamp(x, pytz.utc) for x in sub_s[:k]]
        aware_e = [datetime.fromtimestamp(x, pytz.utc) for x in sub_e[:k]]
        t0 = time.perf_counter()
        got = [rule.difference(a, b) for a, b in zip(aware_s, aware_e, strict=True)]
        seconds = (time.perf_counter() - t0) * args.pairs / k
        theirs = np.array([g.hours * 3600 + g.seconds for g in got], dtype=float)
        rows.append(
            ("businesstimedelta Rules.difference", "between", seconds, k, _agree(ours[:k], theirs))
        )
    except ImportError:
        print("businesstimedelta not installed", file=sys.stderr)

    try:
        import pandas as pd

        cbh = pd.offsets.CustomBusinessHour(start="09:00", end="17:00", holidays=hol)
        k = min(n, 300)
        t0 = time.perf_counter()
        got_hours = [
            len(pd.date_range(pd.Timestamp(a, unit="s"), pd.Timestamp(b, unit="s"), freq=cbh))
            for a, b in zip(sub_s[:k], sub_e[:k], strict=True)
        ]
        seconds = (time.perf_counter() - t0) * args.pairs / k
        rows.append(
            ("pandas CustomBusinessHour len(date_range)", "between", seconds, k,
             _agree(np.floor(ours[:k] / 3600), np.array(got_hours, float), "1-hour resolution; ")),
        )  # fmt: skip
    except ImportError:
        print("pandas not installed", file=sys.stderr)

    oracle_check = _oracle_check(calendar, hol, starts[:200], ends[:200], ours[:200])
    print(
        f"business time for {args.pairs:,} ticket-like pairs over 2025-2026, Mon-Fri 09-17 + {len(hol)} holidays"
    )
    print(f"cxmetrics vs the minute-walking oracle on 200 pairs: {oracle_check}\n")
    print(
        f"| {'implementation':<45} | op      | µs / interval | pairs timed | agreement with cxmetrics |"
    )
    print(f"|{'-' * 47}|---------|---------------|-------------|--------------------------|")
    base = {op: next(r[2] for r in rows if r[1] == op) for op in ("between", "add")}
    for name, op, total, timed, agreement in rows:
        per = total / args.pairs * 1e6
        star = "*" if timed < args.pairs else ""
        ratio = total / base[op]
        print(
            f"| {name:<45} | {op:<7} | {per:>10.3f}{star:<2} | {timed:>11,} | {agreement or '—'} ({ratio:,.1f}× cxmetrics) |"
        )
    print("\n* measured on a subset and extrapolated linearly")


def _agree(ours: np.ndarray, theirs: np.ndarray, note: str = "") -> str:
    bad = np.abs(ours - theirs) > 1e-3
    return f"{note}{100 * bad.mean():.2f}% differ"


def _oracle_check(calendar, hol, starts, ends, ours) -> str:  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.calendars.oracle import Oracle

    oracle = Oracle("UTC", {"mon-fri": "09:00-17:00"}, hol)
    # The oracle walks whole minutes: compare on minute-aligned pairs of short spans.
    starts, ends = np.floor(starts / 60) * 60, np.floor(ends / 60) * 60
    ours = calendar.business_seconds(starts, ends)
    keep = (ends - starts) < 3 * 86400
    expected = [
        oracle.business_seconds(datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC))
        for a, b in zip(starts[keep], ends[keep], strict=True)
    ]
    bad = np.abs(np.array(expected) - ours[keep]) > 1e-6
    return f"{int(keep.sum())} compared, {int(bad.sum())} differ"


if __name__ == "__main__":
    main()
