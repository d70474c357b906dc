"""Does the band hold what it promises, on real series, over many periods? And what does each target do?

Runs a walk-forward backtest of the default settings (or the target modes given) on each series: the bundled
sample's tickers and the CSV files in tests/data, and prints per series and target mode the pooled coverage of the
90 % band (overall and at steps 1, 5 and the last), the pooled skill against "tomorrow = today" with the verdict,
and how many periods the model beat it in. A report, not a test: it trains many models.

    python tools/coverage_report.py                       # defaults, 12 folds of 21 days, log return
    python tools/coverage_report.py --modes log_return price --folds 8 --series AAPL sp500_mdy
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from lstm_desktop.core.backtest.runner import backtest
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.runtime import pin_blas_threads, tune_allocator
from lstm_desktop.core.specs import BacktestSpec, DataRequest, DatasetSpec, RunConfig

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SERIES = {
    "AAPL": DataRequest(source="sample", tickers=("AAPL",)),
    "IBM": DataRequest(source="sample", tickers=("IBM",)),
    "MSFT": DataRequest(source="sample", tickers=("MSFT",)),
    "GOOG": DataRequest(source="sample", tickers=("GOOG",)),
    "sp500_mdy": DataRequest(source="csv", csv_path=str(DATA / "sp500_mdy.csv")),
    "msft_no_adjclose": DataRequest(source="csv", csv_path=str(DATA / "msft_no_adjclose.csv"), start="2005-01-01"),
}


def one(name: str, mode: str, spec: BacktestSpec) -> dict:
    config = RunConfig(data=SERIES[name], dataset=DatasetSpec(target_mode=mode))
    frames = tuple(load_prices(config.data))
    started = time.perf_counter()
    report = backtest(config, spec, frames).report
    backtest_report = report.backtest
    cover = backtest_report.aggregate.coverage
    steps = cover.by_step
    return {
        "series": name,
        "mode": mode,
        "folds": len(backtest_report.folds),
        "coverage": cover.overall,
        "coverage_error": cover.sampling_error,
        "coverage_step_1": steps[0],
        "coverage_step_5": steps[min(4, len(steps) - 1)],
        "coverage_last_step": steps[-1],
        "pooled_skill": backtest_report.aggregate.pooled.skill,
        "verdict": backtest_report.aggregate.pooled.verdict.kind,
        "p_value": backtest_report.aggregate.pooled.verdict.p_value,
        "beats": backtest_report.aggregate.beats_persistence,
        "whole_run_test_skill": report.metrics["test"].skill,
        "whole_run_test_coverage": report.band.coverage["test"].overall,
        "seconds": time.perf_counter() - started,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", nargs="+", default=list(SERIES), choices=list(SERIES))
    parser.add_argument("--modes", nargs="+", default=["log_return"], choices=["log_return", "price"])
    parser.add_argument("--folds", type=int, default=12)
    parser.add_argument("--fold-days", type=int, default=21)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tune_allocator()
    pin_blas_threads()
    spec = BacktestSpec(folds=args.folds, fold_days=args.fold_days)
    rows = []
    header = (
        f"{'series':17} {'mode':10} {'folds':>5} {'band held':>10} {'± (SE)':>7} {'step 1':>7} {'step 5':>7} "
        f"{'last':>7} {'pooled skill':>12} {'verdict':>14} {'beats':>6} {'s':>6}"
    )
    if not args.json:
        print(header)
    for name in args.series:
        for mode in args.modes:
            row = one(name, mode, dataclasses.replace(spec))
            rows.append(row)
            if not args.json:
                print(
                    f"{row['series']:17} {row['mode']:10} {row['folds']:>5} {row['coverage']:>10.1%} "
                    f"{row['coverage_error']:>7.1%} {row['coverage_step_1']:>7.1%} {row['coverage_step_5']:>7.1%} "
                    f"{row['coverage_last_step']:>7.1%} {row['pooled_skill']:>+12.4f} {row['verdict']:>14} "
                    f"{row['beats']:>3}/{row['folds']:<2} {row['seconds']:>6.0f}",
                    flush=True,
                )
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
