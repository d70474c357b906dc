"""lstm-desktop-cli: the engine from a terminal. Exit codes: 0 done, 2 bad input, 3 data unavailable,
130 stopped by the user."""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

from lstm_desktop import __version__
from lstm_desktop.core.durations import format_duration

EXIT_OK, EXIT_BAD_INPUT, EXIT_UNAVAILABLE, EXIT_STOPPED = 0, 2, 3, 130


def _add_data_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data source (one of)")
    group.add_argument(
        "--ticker",
        action="append",
        default=[],
        metavar="T",
        help="Yahoo ticker; repeat for extra input tickers (the first is the target). "
        "With --csv or --sample: which ticker of the file",
    )
    group.add_argument("--csv", metavar="FILE", help="CSV file of daily prices")
    group.add_argument("--sample", metavar="NAME", help="bundled offline sample: AAPL, GOOG, IBM or MSFT")
    group.add_argument("--start", help="first date, YYYY-MM-DD")
    group.add_argument("--end", help="last date, YYYY-MM-DD (inclusive)")
    group.add_argument("--offline", action="store_true", help="never touch the network; use the cache only")


def _add_train_args(parser: argparse.ArgumentParser) -> None:
    from lstm_desktop.core.specs import PRECISIONS, DatasetSpec, ModelSpec, TrainSpec

    d, m, t = DatasetSpec(), ModelSpec(), TrainSpec()
    g = parser.add_argument_group("dataset")
    g.add_argument(
        "--features",
        default="",
        help="comma-separated columns of the target ticker used as "
        "inputs (Open,High,Low,Close,Adj Close,Volume); default: the target column",
    )
    g.add_argument(
        "--target", default=d.target, help=f"price column to predict: Adj Close or Close (default {d.target})"
    )
    g.add_argument(
        "--target-mode",
        default=d.target_mode,
        choices=("price", "log_return"),
        help="predict the price or its log return",
    )
    g.add_argument("--window", type=int, default=d.window, help=f"days of history per input ({d.window})")
    g.add_argument("--horizon", type=int, default=d.horizon, help=f"days predicted at once ({d.horizon})")
    g.add_argument("--val-frac", type=float, default=d.val_frac, help=f"validation share ({d.val_frac})")
    g.add_argument("--test-frac", type=float, default=d.test_frac, help=f"test share ({d.test_frac})")
    g.add_argument("--val-start", help="split by dates: first validation day (with --test-start)")
    g.add_argument("--test-start", help="split by dates: first test day")
    g.add_argument("--scaler", default=d.scaler, choices=("minmax", "standard"))
    g = parser.add_argument_group("model and training")
    g.add_argument("--layers", type=int, default=m.layers, help=f"stacked LSTM layers ({m.layers})")
    g.add_argument("--hidden", type=int, default=m.hidden, help=f"units per layer ({m.hidden})")
    g.add_argument("--dropout", type=float, default=m.dropout, help=f"dropout ({m.dropout})")
    g.add_argument("--epochs", type=int, default=t.epochs, help=f"maximum epochs ({t.epochs})")
    g.add_argument("--batch-size", type=int, default=t.batch_size, help=f"batch size ({t.batch_size})")
    g.add_argument("--lr", type=float, default=t.lr, help=f"Adam learning rate ({t.lr})")
    g.add_argument(
        "--patience",
        type=int,
        default=t.patience,
        help=f"early stopping patience in epochs, 0 = off ({t.patience})",
    )
    g.add_argument("--seed", type=int, default=t.seed, help=f"random seed ({t.seed})")
    g.add_argument("--device", default=t.device, help="auto, cpu or cuda")
    g.add_argument(
        "--threads",
        type=int,
        default=t.threads,
        help="CPU threads; 0 = automatic: one per core (at most 4), fewer while other programs keep cores busy",
    )
    g.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=t.precision,
        help="training arithmetic: float32, or bfloat16 (faster on GPUs and CPUs with AVX-512 BF16 or AMX; "
        "weights, scores and forecasts stay float32)",
    )
    g.add_argument("--forecast-days", type=int, default=30, help="business days to forecast (30)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(  # exits 2 on bad usage: our "bad input" code too
        prog="lstm-desktop-cli",
        description="Forecast market prices with an LSTM, evaluated honestly against 'tomorrow = today'.",
    )
    parser.add_argument("--version", action="version", version=f"lstm-desktop {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fetch = sub.add_parser("fetch", help="download or refresh cached prices and print a summary")
    _add_data_args(fetch)
    fetch.add_argument("--json", action="store_true", help="print a JSON summary")

    train = sub.add_parser("train", help="train a model, evaluate it against baselines, forecast")
    _add_data_args(train)
    _add_train_args(train)
    train.add_argument("--project", metavar="FILE", help="save the run as a .lstmproj project file")
    train.add_argument("--json", action="store_true", help="print the run as one JSON document")
    train.add_argument("--quiet", action="store_true", help="no progress on stderr")

    forecast = sub.add_parser("forecast", help="forecast from a saved project, without retraining or network")
    forecast.add_argument("project", metavar="PROJECT")
    forecast.add_argument("--days", type=int, default=30, help="business days to forecast (30)")
    forecast.add_argument("--json", action="store_true")

    show = sub.add_parser("show", help="print a saved project's run")
    show.add_argument("project", metavar="PROJECT")
    show.add_argument("--json", action="store_true")
    return parser


def _data_request(args: argparse.Namespace) -> Any:
    from lstm_desktop.core.errors import BadInput
    from lstm_desktop.core.specs import DataRequest

    chosen = [name for name in ("csv", "sample") if getattr(args, name)]
    if len(chosen) > 1:
        raise BadInput("Choose one data source: --ticker (Yahoo), --csv FILE or --sample NAME.")
    tickers = tuple(args.ticker)
    if args.csv:
        return DataRequest("csv", tickers, args.csv, args.start, args.end, args.offline)
    if args.sample:
        return DataRequest("sample", (args.sample, *tickers), None, args.start, args.end, True)
    if not tickers:
        raise BadInput("No data source: give --ticker T (Yahoo), --csv FILE or --sample NAME.")
    return DataRequest("yahoo", tickers, None, args.start, args.end, args.offline)


def _run_config(args: argparse.Namespace) -> Any:
    from lstm_desktop.core.specs import DatasetSpec, ModelSpec, RunConfig, TrainSpec

    features = tuple(f.strip() for f in args.features.split(",") if f.strip())
    dataset = DatasetSpec(
        features,
        args.target,
        args.target_mode,
        args.window,
        args.horizon,
        args.val_frac,
        args.test_frac,
        args.val_start,
        args.test_start,
        args.scaler,
    )
    model = ModelSpec(args.layers, args.hidden, args.dropout)
    train = TrainSpec(
        args.epochs, args.batch_size, args.lr, args.patience, args.seed, args.device, args.threads, args.precision
    )
    return RunConfig(_data_request(args), dataset, model, train, args.forecast_days)


class _Progress:
    """Epoch lines on stderr: epoch x/y, losses, best epoch, time left."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    def __call__(self, event: Any) -> None:
        if self.quiet or type(event).__name__ != "EpochEnded":
            return
        _err(
            f"epoch {event.epoch}/{event.epochs}  train {event.train_loss:.6f}  val {event.val_loss:.6f}  "
            f"best {event.best_epoch}  {event.seconds:.2f}s/epoch  ~{format_duration(event.eta_seconds)} left"
        )


def _err(text: str) -> None:
    if sys.stderr is not None:
        print(text, file=sys.stderr, flush=True)


def _print_json(document: dict) -> None:
    print(json.dumps(document, indent=2, allow_nan=False))


def _clean_nans(value: Any) -> Any:
    """JSON has no NaN: write null instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean_nans(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_nans(v) for v in value]
    return value


def _report(document: dict) -> str:
    """A short human summary of a run."""
    data, lines = document["data"], []
    lines.append(
        f"{data['ticker']} ({data['price_column']}): {data['rows']} rows {data['start']}..{data['end']}"
        f" from {data.get('origin') or data['source']}"
    )
    split = document["split"]
    lines.append("split: " + ", ".join(f"{k} {v[0]}..{v[1]}" for k, v in split.items()))
    lines.append(
        f"training: {len(document['history'])} epochs, best {document['best_epoch']}, ended: {document['stopped']}"
    )
    lines.append(f"{'split':6} {'':12} {'RMSE':>10} {'MAE':>10} {'MAPE %':>8} {'direction':>9}")
    for name, entry in document["metrics"].items():
        for who in ("model", "persistence", "drift"):
            m = entry[who]
            lines.append(
                f"{name:6} {who:12} {m['rmse']:10.4f} {m['mae']:10.4f} {m['mape']:8.2f} "
                f"{m['directional_accuracy']:9.1%}"
            )
        verdict = "beats" if (entry["skill"] or -1) > 0 else "does NOT beat"
        lines.append(f"{name:6} skill {entry['skill']:+.3f}: the model {verdict} 'tomorrow = today'")
    if document["forecast"]:
        first, last = document["forecast"][0], document["forecast"][-1]
        lines.append(
            f"forecast {len(document['forecast'])} days: {first['date']} {first['value']:.2f} .. "
            f"{last['date']} {last['value']:.2f} (band {last['lower']:.2f}..{last['upper']:.2f})"
        )
    return "\n".join(lines)


def _cmd_fetch(args: argparse.Namespace) -> int:
    from lstm_desktop.core.data.sources import load_prices

    frames = load_prices(_data_request(args))
    if args.json:
        _print_json(
            {
                "tickers": [
                    {
                        "ticker": f.ticker,
                        "source": f.source,
                        "origin": f.origin,
                        "rows": f.rows,
                        "start": f.start,
                        "end": f.end,
                        "repairs": f.repairs,
                    }
                    for f in frames
                ]
            }
        )
    else:
        for frame in frames:
            print(frame.summary())
    return EXIT_OK


def _cmd_train(args: argparse.Namespace) -> int:
    from lstm_desktop.core import pipeline

    config = _run_config(args)
    frames, dataset = pipeline.prepare(config)
    stop = {"asked": False}

    def on_sigint(signum: int, frame: Any) -> None:
        if stop["asked"]:
            raise KeyboardInterrupt
        stop["asked"] = True
        _err("stopping after this batch (press Ctrl-C again to abort)...")

    previous = signal.signal(signal.SIGINT, on_sigint)
    started = time.perf_counter()
    try:
        from lstm_desktop.core.learn.training import train

        trained = train(dataset, config.model, config.train, _Progress(args.quiet), lambda: stop["asked"])
    finally:
        signal.signal(signal.SIGINT, previous)
    result = pipeline.finish(config, frames, dataset, trained)
    document = _clean_nans(pipeline.document(result))
    if not args.quiet:
        _err(f"trained in {format_duration(time.perf_counter() - started)} on {result.device}")
    if args.project:
        from lstm_desktop.core.store.project import Project, save_project

        path = save_project(Project.from_run(result), args.project)
        _err(f"saved {path}")
    if args.json:
        _print_json(document)
    else:
        print(_report(document))
    return EXIT_STOPPED if result.stopped == "user" else EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from lstm_desktop.core.store.project import load_project

    project = load_project(args.project)
    document = _clean_nans(project.document())
    if args.json:
        _print_json(document)
    else:
        print(_report(document) if document.get("metrics") else f"{args.project}: no trained model yet")
    return EXIT_OK


def _cmd_forecast(args: argparse.Namespace) -> int:
    from lstm_desktop.core.errors import BadInput
    from lstm_desktop.core.store.project import load_project

    if not 1 <= args.days <= 1000:
        raise BadInput(f"--days must be between 1 and 1000, not {args.days}.")
    project = load_project(args.project)
    days = _clean_nans(project.forecast(args.days))
    if args.json:
        _print_json({"forecast": days})
    else:
        for day in days:
            print(f"{day['date']}  {day['value']:12.4f}  [{day['lower']:.4f} .. {day['upper']:.4f}]")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    from lstm_desktop.core.runtime import tune_allocator

    tune_allocator()
    args = build_parser().parse_args(argv)
    from lstm_desktop.core.errors import LstmDesktopError

    handlers = {"fetch": _cmd_fetch, "train": _cmd_train, "show": _cmd_show, "forecast": _cmd_forecast}
    try:
        return handlers[args.command](args)
    except LstmDesktopError as exc:
        _err(f"error: {exc}")
        return exc.exit_code
    except ValueError as exc:  # device names and other settings torch refuses
        _err(f"error: {exc}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _err("aborted")
        return EXIT_STOPPED


if __name__ == "__main__":
    sys.exit(main())
