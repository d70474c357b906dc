"""lstm-desktop-cli: the engine from a terminal. Exit codes: 0 done, 2 bad input, 3 data unavailable,
130 stopped by the user. Only the project's own errors become exit codes 2 and 3; anything else is a bug and
shows its traceback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lstm_desktop import __version__
from lstm_desktop.cli_args import add_data_args, add_settings_args, data_request, run_config
from lstm_desktop.cli_common import (  # noqa: F401  (exit codes re-exported)
    EXIT_BAD_INPUT,
    EXIT_OK,
    EXIT_STOPPED,
    EXIT_UNAVAILABLE,
    chosen_run,
    ctrl_c_stops,
    err,
    open_for_adding,
    print_json,
    save_and_print,
)
from lstm_desktop.core.durations import format_duration


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(  # exits 2 on bad usage: our "bad input" code too
        prog="lstm-desktop-cli",
        description="Forecast market prices with an LSTM, evaluated honestly against 'tomorrow = today'.",
    )
    parser.add_argument("--version", action="version", version=f"lstm-desktop {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fetch = sub.add_parser("fetch", help="download or refresh cached prices and print a summary")
    add_data_args(fetch)
    fetch.add_argument("--json", action="store_true", help="print a JSON summary")

    train = sub.add_parser("train", help="train a model, evaluate it against baselines, forecast")
    add_data_args(train)
    add_settings_args(train)
    add_output_args(train)

    forecast = sub.add_parser("forecast", help="forecast from a saved project, without retraining or network")
    forecast.add_argument("project", metavar="PROJECT")
    forecast.add_argument("--days", type=int, default=30, help="trading days to forecast, 1 to 1000 (30)")
    forecast.add_argument("--run", metavar="ID", help="which run of the project (default: the current one)")
    forecast.add_argument("--json", action="store_true")

    from lstm_desktop.cli_many import register

    register(sub, add_output_args)
    from lstm_desktop.cli_strategy import register as register_strategy

    register_strategy(sub)
    from lstm_desktop.cli_compare import register as register_compare

    register_compare(sub, add_output_args)
    from lstm_desktop.cli_living import register as register_living

    register_living(sub)

    show = sub.add_parser("show", help="print a saved project's run")
    show.add_argument("project", metavar="PROJECT")
    show.add_argument("--run", metavar="ID", help="which run of the project (default: the current one)")
    show.add_argument("--runs-csv", metavar="OUT", help="write the runs table as CSV to OUT")
    show.add_argument("--json", action="store_true")
    return parser


def add_output_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project", metavar="FILE", help="save the run in a .lstmproj project (added to an existing one)"
    )
    parser.add_argument("--new-project", action="store_true", help="start the --project file afresh")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


class Progress:
    """Epoch lines on stderr: epoch x/y, losses, best epoch, time left."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, event: Any) -> None:
        from lstm_desktop.core.events import EpochEnded

        if self.quiet or not isinstance(event, EpochEnded):
            return
        err(
            f"epoch {event.epoch}/{event.epochs}  train {event.train_loss:.6f}  val {event.val_loss:.6f}  "
            f"best {event.best_epoch}  {event.seconds:.2f}s/epoch  ~{format_duration(event.eta_seconds)} left"
        )


def cmd_fetch(args: argparse.Namespace) -> int:
    from lstm_desktop.core.data.sources import load_prices

    frames = load_prices(data_request(args))
    if args.json:
        keys = ("ticker", "source", "origin", "rows", "start", "end", "repairs")
        print_json({"tickers": [{k: getattr(f, k) for k in keys} for f in frames]})
    else:
        for frame in frames:
            print(frame.summary())
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_text import run_text
    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.run import run
    from lstm_desktop.core.runtime import set_threads

    config = run_config(args)
    project = open_for_adding(args.project, args.new_project)
    frames = load_prices(config.data)
    set_threads(config.train.threads)
    with ctrl_c_stops() as stop:
        finished = run(config, frames, on_event=Progress(args.quiet), should_stop=lambda: stop["asked"])
    report = finished.report
    if not args.quiet:
        err(f"trained in {format_duration(report.seconds)} on {report.device} with {report.threads} thread(s)")
    if project is not None:
        project.add(finished)
    code = save_and_print(project, args.project, report.document(), run_text(report), args.json)
    if code != EXIT_OK:
        return code
    return EXIT_STOPPED if report.stopped == "user" else EXIT_OK


def cmd_backtest(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_many import cmd_backtest as backtest

    return backtest(args, err, ctrl_c_stops, open_for_adding, save_and_print)


def cmd_search(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_many import cmd_search as search

    return search(args, err, ctrl_c_stops, open_for_adding, save_and_print)


def cmd_sweep(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_many import cmd_sweep as sweep

    return sweep(args, err, ctrl_c_stops, open_for_adding, save_and_print)


def cmd_strategy(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_strategy import cmd_strategy as strategy

    return strategy(args, chosen_run, print_json)


def cmd_report(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_strategy import cmd_report as report

    return report(args, chosen_run, err)


def cmd_compare(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_compare import cmd_compare as compare

    return compare(args, err, ctrl_c_stops, open_for_adding, save_and_print)


def cmd_refresh(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_living import cmd_refresh as refresh

    return refresh(args)


def cmd_track(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_living import cmd_track as track

    return track(args)


def cmd_update(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_living import cmd_update as update

    return update(args)


def cmd_show(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_text import run_text
    from lstm_desktop.core.errors import BadInput
    from lstm_desktop.core.store.documents import project_document
    from lstm_desktop.core.store.project_io import load_project

    project = load_project(args.project)
    if args.runs_csv:
        from lstm_desktop.core.store.atomic import write_bytes_atomic
        from lstm_desktop.core.store.runs_table import runs_csv

        try:
            write_bytes_atomic(Path(args.runs_csv), runs_csv(project).encode())
        except OSError as exc:
            raise BadInput(f"Cannot write {args.runs_csv}: {exc.strerror or exc}.") from exc
        err(f"wrote {args.runs_csv}")
    run = chosen_run(project, args.run, args.project)
    if args.json:
        print_json(project_document(project, args.run))
    elif run is not None:
        print(run_text(run.report))
    else:
        print(f"{args.project}: no trained model yet")
    return EXIT_OK


def cmd_forecast(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_text import forecast_table
    from lstm_desktop.core.documents import forecast_rows
    from lstm_desktop.core.errors import BadInput
    from lstm_desktop.core.run import forecast_again
    from lstm_desktop.core.specs import RunConfig, bounds
    from lstm_desktop.core.store.project_io import load_project

    most = bounds(RunConfig, "forecast_days")[1]  # the most a run may forecast, as declared
    if not 1 <= args.days <= most:
        raise BadInput(f"--days must be between 1 and {most}, not {args.days}.")
    project = load_project(args.project)
    run = chosen_run(project, args.run, args.project)
    if run is None:
        raise BadInput(f"Cannot forecast from {args.project}: it has no trained model yet: train it first.")
    days = forecast_again(run.report, run.data.frames, run.tensors(), args.days).forecast
    if args.json:
        print_json({"forecast": forecast_rows(days)})
    else:
        print(forecast_table(days))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    from lstm_desktop.core.runtime import pin_blas_threads, tune_allocator

    tune_allocator()
    pin_blas_threads()
    args = build_parser().parse_args(argv)
    from lstm_desktop.core.errors import LstmDesktopError

    handlers = {
        "fetch": cmd_fetch,
        "train": cmd_train,
        "show": cmd_show,
        "forecast": cmd_forecast,
        "backtest": cmd_backtest,
        "search": cmd_search,
        "sweep": cmd_sweep,
        "strategy": cmd_strategy,
        "report": cmd_report,
        "compare": cmd_compare,
        "refresh": cmd_refresh,
        "track": cmd_track,
        "update": cmd_update,
    }
    try:
        return handlers[args.command](args)
    except LstmDesktopError as exc:
        err(f"error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        err("aborted")
        return EXIT_STOPPED
    except BrokenPipeError:  # the reader went away (show ... | head): nothing more to say to it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush does not fail again
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
