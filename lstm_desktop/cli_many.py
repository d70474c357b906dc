"""The command line's commands that run many trainings: backtest (and, beside it, search and sweep)."""

from __future__ import annotations

import argparse
from typing import Any

from lstm_desktop.cli_args import add_backtest_args, add_data_args, add_settings_args, backtest_spec, run_config
from lstm_desktop.core.durations import format_duration

EXIT_OK, EXIT_STOPPED = 0, 130


def register(sub: Any, add_output_args: Any) -> None:
    backtest = sub.add_parser(
        "backtest", help="walk-forward backtest: many test periods, each predicted by a model trained before it"
    )
    add_data_args(backtest)
    add_settings_args(backtest)
    add_backtest_args(backtest)
    add_output_args(backtest)


class BacktestLines:
    """Progress of the folds on stderr, at most once per finished fold or new epoch line."""

    def __init__(self, quiet: bool, err: Any) -> None:
        self.quiet, self.err, self.last = quiet, err, ""

    def __call__(self, event: Any) -> None:
        from lstm_desktop.core.backtest.runner import BacktestProgress

        if self.quiet or not isinstance(event, BacktestProgress):
            return
        running = ", ".join(f"fold {k} epoch {e}/{n}" for k, (e, n) in sorted(event.running.items()))
        eta = "" if event.eta_seconds != event.eta_seconds else f"; ~{format_duration(event.eta_seconds)} left"
        line = f"folds {event.finished}/{event.folds} finished" + (f"; running {running}" if running else "") + eta
        if line != self.last:
            self.last = line
            self.err(line)


def cmd_backtest(
    args: argparse.Namespace, err: Any, ctrl_c_stops: Any, open_for_adding: Any, save_and_print: Any
) -> int:
    from lstm_desktop.cli_text import backtest_text, run_text
    from lstm_desktop.core.backtest.runner import backtest
    from lstm_desktop.core.data.sources import load_prices

    config = run_config(args)
    spec = backtest_spec(args)
    project = open_for_adding(args.project, args.new_project)
    frames = load_prices(config.data)
    with ctrl_c_stops() as stop:
        finished = backtest(
            config, spec, frames, on_event=BacktestLines(args.quiet, err), should_stop=lambda: stop["asked"]
        )
    report = finished.report
    if not args.quiet:
        err(f"backtest took {format_duration(report.backtest.seconds)} with {report.backtest.workers} worker(s)")
    if project is not None:
        project.add(finished)
    text = run_text(report) + "\n" + backtest_text(report.backtest)
    code = save_and_print(project, args.project, report.document(), text, args.json)
    if code != EXIT_OK:
        return code
    return EXIT_OK if report.backtest.complete and report.stopped != "user" else EXIT_STOPPED
