"""Rolling-origin backtest of forecast_volume on the bank call-center data (February 1999).

    python benchmarks/planning_backtest.py [--interval 30min] [--horizon 1D] [--level 0.8]

Refits every method at each origin (first after 14 days of history, then every day),
forecasts the next day, and scores the open intervals of the bank's calendar: MASE
(scaled by the in-sample weekly seasonal-naive error) and the coverage of the
prediction intervals. The numbers in docs/planning.md come from this script.
"""

from __future__ import annotations

import argparse
import time

from _bank import CALENDAR, DATA, bank_calls

from cxmetrics.planning import backtest_forecast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", default="30min")
    parser.add_argument("--horizon", default="1D")
    parser.add_argument("--initial", default="14D")
    parser.add_argument("--level", type=float, default=0.8)
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"the shared data sets are not available at {DATA}")
    calls = bank_calls()
    start = time.perf_counter()
    table = backtest_forecast(
        calls,
        methods=["seasonal_naive", "weekly_mean", "holt_winters", "auto"],
        interval=args.interval,
        horizon=args.horizon,
        initial=args.initial,
        level=args.level,
        calendar=CALENDAR,
    )
    elapsed = time.perf_counter() - start
    print(
        f"{len(calls)} offered calls; interval {args.interval}, horizon {args.horizon}, "
        f"first origin after {args.initial}, {args.level:.0%} intervals ({elapsed:.1f} s)"
    )
    print(f"{'method':<16}{'MASE':>8}{'MAE':>8}{'coverage':>10}{'origins':>9}{'intervals':>11}")
    for method, mase, mae, coverage, origins, intervals in table.rows:
        print(f"{method:<16}{mase:>8.3f}{mae:>8.2f}{coverage:>10.1%}{origins:>9}{intervals:>11}")


if __name__ == "__main__":
    main()
