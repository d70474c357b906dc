"""The command line's flags, built from the settings' declarations (core/specs.py), and settings from the flags.

A setting's flag, type, default, choices and help all come from its dataclass field, so the command line can
never disagree with the window or the core about a range.
"""

from __future__ import annotations

import argparse
import dataclasses
import typing
from typing import Any

from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.specs import (
    BacktestSpec,
    DataRequest,
    DatasetSpec,
    ModelSpec,
    RunConfig,
    TrainSpec,
    describe_range,
)

SPEC_GROUPS = (("dataset", DatasetSpec), ("model", ModelSpec), ("train", TrainSpec))


def flag_of(field: dataclasses.Field) -> str:
    return field.metadata.get("flag") or "--" + field.name.replace("_", "-")


def _kind(cls: type, field: dataclasses.Field) -> Any:
    hint = typing.get_type_hints(cls)[field.name]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args and typing.get_origin(hint) is not tuple else hint


def _help(field: dataclasses.Field) -> str:
    meta = field.metadata
    text = meta["help"]
    if meta["low"] is not None:
        text += f"; {describe_range(meta)}"
    default = field.default
    if default not in (None, (), ""):
        text += f" (default {default})"
    return text


def _add_field(group: argparse._ArgumentGroup, cls: type, field: dataclasses.Field) -> None:
    kind = _kind(cls, field)
    flag = flag_of(field)
    if typing.get_origin(kind) is tuple:  # a list of names, comma-separated
        group.add_argument(flag, dest=field.name, default="", help=_help(field) + "; comma-separated")
        return
    if kind is bool:
        group.add_argument(flag, dest=field.name, action="store_true", help=field.metadata["help"])
        return
    options: dict[str, Any] = {"dest": field.name, "default": field.default, "help": _help(field)}
    if kind in (int, float):
        options["type"] = kind
    if field.metadata.get("choices"):
        options["choices"] = field.metadata["choices"]
    group.add_argument(flag, **options)


DATA_TITLE = "data source (one of --ticker, --csv, --sample)"
SAMPLE_EVERY = ""  # what a bare --sample stands for: the sample, its tickers those of --ticker (a sweep: all)


DATA_FLAGS: dict[str, dict[str, Any]] = {
    "--ticker": {
        "action": "append",
        "default": [],
        "metavar": "T",
        "help": "a ticker, repeat for more: from Yahoo, or with --csv/--sample which tickers of the file. A run's "
        "first ticker is its target and the others extra inputs; a sweep runs each",
    },
    "--csv": {"metavar": "FILE", "help": "CSV file of daily prices (a sweep without --ticker: all of its)"},
    "--sample": {
        "metavar": "NAME",
        "nargs": "?",
        "const": SAMPLE_EVERY,
        "help": "bundled offline sample: AAPL, GOOG, IBM or MSFT (NAME is the first ticker; bare --sample takes its "
        "tickers from --ticker, and a sweep without them runs every one)",
    },
    "--start": {"help": "first date, YYYY-MM-DD"},
    "--end": {"help": "last date, YYYY-MM-DD (inclusive)"},
    "--offline": {"action": "store_true", "help": "never touch the network; use the cache only"},
}


def add_data_args(
    parser: argparse.ArgumentParser, only: tuple[str, ...] | None = None, title: str = DATA_TITLE
) -> None:
    """The data flags, declared once for every command that loads prices (train, backtest, search, sweep, fetch and
    any later one): the same names, values and meaning everywhere. The tickers are --sample's NAME, if any, then
    each --ticker in order; a run's first is its target (the others extra inputs), a sweep runs each. `only`: the
    flags a command takes (refresh and update take --csv and --offline), in their declared meaning."""
    group = parser.add_argument_group(title)
    for flag, options in DATA_FLAGS.items():
        if only is None or flag in only:
            group.add_argument(flag, **options)


def data_source(args: argparse.Namespace) -> str:
    """yahoo, csv or sample, from the data flags; two sources at once are refused."""
    if args.csv and args.sample is not None:
        raise BadInput("Choose one data source: --ticker (Yahoo), --csv FILE or --sample NAME.")
    return "csv" if args.csv else "sample" if args.sample is not None else "yahoo"


def data_tickers(args: argparse.Namespace) -> list[str]:
    """The tickers the data flags name, in order: --sample's NAME, then every --ticker (as written)."""
    return ([args.sample] if args.sample else []) + [t for t in args.ticker if t.strip()]


def add_settings_args(parser: argparse.ArgumentParser) -> None:
    """One flag per setting of a run (dataset, model, training, forecast days)."""
    for title, cls in SPEC_GROUPS:
        group = parser.add_argument_group(title)
        for field in dataclasses.fields(cls):
            _add_field(group, cls, field)
    group = parser.add_argument_group("forecast")
    for field in dataclasses.fields(RunConfig):
        if field.name in ("forecast_days", "forecast_path"):
            _add_field(group, RunConfig, field)


def add_backtest_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("walk-forward backtest")
    for field in dataclasses.fields(BacktestSpec):
        _add_field(group, BacktestSpec, field)


def backtest_spec(args: argparse.Namespace) -> BacktestSpec:
    spec = BacktestSpec(**{f.name: getattr(args, f.name) for f in dataclasses.fields(BacktestSpec)})
    spec.validate()
    return spec


def data_request(args: argparse.Namespace) -> DataRequest:
    """The prices one run trains on (its target first), from the data flags."""
    from lstm_desktop.core.data.tickers import normalise_tickers

    source = data_source(args)
    common = {"start": args.start, "end": args.end}
    if source == "csv":  # which ticker of the file, or the file's own name: the CSV reader checks them against the file
        names = tuple(t.strip() for t in data_tickers(args))
        return DataRequest(source="csv", tickers=names, csv_path=args.csv, offline=args.offline, **common)
    tickers = normalise_tickers(data_tickers(args))
    if source == "sample":
        if not tickers:
            raise BadInput("Name a ticker of the bundled sample: --sample NAME (AAPL, GOOG, IBM or MSFT).")
        return DataRequest(source="sample", tickers=tickers, offline=True, **common)
    if not tickers:
        raise BadInput("No data source: give --ticker T (Yahoo), --csv FILE or --sample NAME.")
    return DataRequest(source="yahoo", tickers=tickers, offline=args.offline, **common)


def _values(cls: type, args: argparse.Namespace) -> dict[str, Any]:
    values = {}
    for field in dataclasses.fields(cls):
        value = getattr(args, field.name)
        if typing.get_origin(_kind(cls, field)) is tuple:
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        values[field.name] = value
    return values


def run_config(args: argparse.Namespace) -> RunConfig:
    """The settings the flags describe, validated."""
    config = RunConfig(
        data=data_request(args),
        dataset=DatasetSpec(**_values(DatasetSpec, args)),
        model=ModelSpec(**_values(ModelSpec, args)),
        train=TrainSpec(**_values(TrainSpec, args)),
        forecast_days=args.forecast_days,
        forecast_path=args.forecast_path,
    )
    config.validate()
    return config
