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


def add_data_args(parser: argparse.ArgumentParser) -> None:
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
    from lstm_desktop.core.data.tickers import normalise_tickers

    chosen = [name for name in ("csv", "sample") if getattr(args, name)]
    if len(chosen) > 1:
        raise BadInput("Choose one data source: --ticker (Yahoo), --csv FILE or --sample NAME.")
    common = {"start": args.start, "end": args.end}
    if args.csv:  # which ticker of the file, or the file's own name: the CSV reader checks them against the file
        names = tuple(t.strip() for t in args.ticker if t.strip())
        return DataRequest(source="csv", tickers=names, csv_path=args.csv, offline=args.offline, **common)
    tickers = normalise_tickers(args.ticker)
    if args.sample:
        return DataRequest(source="sample", tickers=normalise_tickers([args.sample, *tickers]), offline=True, **common)
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
