"""What the GUI thread spends painting the window's plots, each part timed on its own in this process (offscreen):
a repaint of the price plot over the whole history (what every crosshair move costs); a run landing on it (its
update and repaint, then its legend's, on turns of their own as in the window); an 8-fold backtest drawn over the
prices (its update, then its repaint); and a loss-plot epoch while training (update and repaint). Medians and
maxima of several rounds, milliseconds.

`python -m lstm_desktop.bench.painting [--rounds N] [--json]`. It trains a small model and its small backtest first
(not timed); nothing here asserts a target.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable


def _ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def painting_figures(rounds: int = 7) -> dict:
    """{part: median ms} and the load, for the parts the module docstring names."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from lstm_desktop.gui.plots import LossPlot, PricePlot
    from lstm_desktop.gui.run_view import target_series

    app = QApplication.instance() or QApplication([])
    finished, folds = _runs()
    report = finished.report
    dates, prices = target_series(finished.frames, report.settings.dataset.target)
    price = PricePlot()
    price.resize(1000, 520)
    price.show()
    app.processEvents()

    def repaint() -> float:
        return _ms(price.plot.viewport().repaint)

    parts: dict[str, list[float]] = {k: [] for k in ("history_repaint", "run_update", "run_repaint", "run_legend")}
    parts |= {k: [] for k in ("folds_update", "folds_repaint", "loss_epoch")}
    for _ in range(rounds):
        price.show_prices(dates, prices, report.data.ticker)
        app.processEvents()
        repaint()
        parts["history_repaint"].append(repaint())
        parts["run_update"].append(_ms(lambda: price.show_run(dates, prices, report, legend=False)))
        parts["run_repaint"].append(repaint())
        parts["run_legend"].append(_ms(price.refresh_legend) + repaint())  # a turn of its own, as in the window
        parts["folds_update"].append(_ms(lambda: price.show_folds(dates, prices, "folds", folds)))
        parts["folds_repaint"].append(repaint())
    loss = LossPlot()
    loss.resize(700, 350)
    loss.show()
    app.processEvents()
    loss.clear()
    for epoch in range(1, 61):
        train, val = 0.5 * 0.9**epoch + 0.01, 0.6 * 0.92**epoch + 0.02

        def one_epoch(epoch: int = epoch, train: float = train, val: float = val) -> None:
            loss.add(epoch, train, val, epoch, 60)
            loss.redraw()
            loss.plot.viewport().repaint()

        time_taken = _ms(one_epoch)
        if epoch > 3:
            parts["loss_epoch"].append(time_taken)
    return {
        "median_ms": {name: statistics.median(values) for name, values in parts.items()},
        "max_ms": {name: max(values) for name, values in parts.items()},
        "rounds": rounds,
        "load_average": os.getloadavg(),
    }


def _runs() -> tuple:
    """A small run with a 30-day forecast, and the folds of its 8-fold backtest (in this process)."""
    import torch

    from lstm_desktop.core.backtest.runner import backtest
    from lstm_desktop.core.executors.inline import InlineExecutor
    from lstm_desktop.core.specs import BacktestSpec, DataRequest, RunConfig, TrainSpec

    torch.set_num_threads(1)
    config = RunConfig(
        data=DataRequest(source="sample", tickers=("AAPL",)),
        train=TrainSpec(epochs=2, patience=0, threads=1),
        forecast_days=30,
    )
    finished = backtest(config, BacktestSpec(folds=8, fold_days=21), executor=InlineExecutor())
    return finished, finished.report.backtest.folds


def painting_lines(figures: dict) -> list[str]:
    """The figures as the lines the bench prints."""
    median, most = figures["median_ms"], figures["max_ms"]
    names = {
        "history_repaint": "price plot repaint, whole history",
        "run_update": "a run landing: update",
        "run_repaint": "a run landing: repaint",
        "run_legend": "a run landing: legend, and repaint",
        "folds_update": "8-fold backtest drawn: update",
        "folds_repaint": "8-fold backtest drawn: repaint",
        "loss_epoch": "loss plot, one epoch: update + repaint",
    }
    load = ", ".join(f"{x:.1f}" for x in figures["load_average"])
    rounds = figures["rounds"]
    lines = [f"painting the plots (GUI thread, offscreen; ms, median / max of {rounds} rounds; load {load}):"]
    lines += [f"  {names[key]:42s} {median[key]:6.1f} / {most[key]:6.1f}" for key in names]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_desktop.bench.painting", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of lines")
    args = parser.parse_args()
    figures = painting_figures(max(1, args.rounds))
    print(json.dumps(figures, indent=2) if args.json else "\n".join(painting_lines(figures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
