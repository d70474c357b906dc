"""`strategy` and `report` on the command line: would a stored run's forecasts have made money, and a
self-contained HTML report of a run. Flags come from the strategy's declaration (core/strategy/spec.py); a flag
left out takes the value saved in the project (or the default)."""

from __future__ import annotations

import argparse
import dataclasses
import typing
from pathlib import Path
from typing import Any

from lstm_desktop.cli_args import flag_of
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.specs import describe_range
from lstm_desktop.core.strategy.spec import StrategySpec


def _help(field: dataclasses.Field) -> str:
    meta = field.metadata
    text = meta["help"]
    if meta["low"] is not None:
        text += f"; {describe_range(meta)}"
    return text + f" (default: the project's, else {field.default})"


def add_strategy_args(parser: argparse.ArgumentParser) -> None:
    """One flag per strategy setting; None when not given, so the project's saved value stands."""
    group = parser.add_argument_group("strategy (rule and costs)")
    hints = typing.get_type_hints(StrategySpec)
    for field in dataclasses.fields(StrategySpec):
        options: dict[str, Any] = {"dest": field.name, "default": None, "help": _help(field)}
        if hints[field.name] in (int, float):
            options["type"] = hints[field.name]
            options["metavar"] = "N"
        if field.metadata.get("choices"):
            options["choices"] = field.metadata["choices"]
        group.add_argument(flag_of(field), **options)


def register(sub: Any) -> None:
    strategy = sub.add_parser(
        "strategy", help="would the forecasts have made money? a trading rule on a stored run's out-of-sample "
        "predictions, after costs, beside buy-and-hold (no training)",
    )  # fmt: skip
    strategy.add_argument("project", metavar="PROJECT")
    strategy.add_argument("--run", metavar="ID", help="which run of the project (default: the current one)")
    add_strategy_args(strategy)
    strategy.add_argument("--json", action="store_true", help="print one JSON document")
    report = sub.add_parser("report", help="write a self-contained HTML report of a stored run (no network needed)")
    report.add_argument("project", metavar="PROJECT")
    report.add_argument("--run", metavar="ID", help="which run of the project (default: the current one)")
    report.add_argument("--html", metavar="FILE", required=True, help="the HTML file to write")
    add_strategy_args(report)


def strategy_spec(args: argparse.Namespace, saved: StrategySpec) -> StrategySpec:
    """The project's saved settings with the flags given on top, checked."""
    given = {f.name: getattr(args, f.name) for f in dataclasses.fields(StrategySpec)}
    spec = dataclasses.replace(saved, **{k: v for k, v in given.items() if v is not None})
    spec.validate()
    return spec


def _stored_run(args: argparse.Namespace, chosen_run: Any) -> tuple[Any, Any]:
    from lstm_desktop.core.store.project_io import load_project

    project = load_project(args.project)
    run = chosen_run(project, args.run, args.project)
    if run is None:
        raise BadInput(f"{args.project} has no trained run yet: train or backtest it first.")
    return project, run


def cmd_strategy(args: argparse.Namespace, chosen_run: Any, print_json: Any) -> int:
    from lstm_desktop.core.strategy.document import strategy_document
    from lstm_desktop.core.strategy.result import strategy_of_run
    from lstm_desktop.core.strategy.text import strategy_text

    project, run = _stored_run(args, chosen_run)
    spec = strategy_spec(args, project.strategy)
    report = strategy_of_run(run.report, run.data.frames, spec)
    if args.json:
        print_json(strategy_document(report))
    else:
        print(strategy_text(report))
    return 0


def cmd_report(args: argparse.Namespace, chosen_run: Any, err: Any) -> int:
    from lstm_desktop.core.htmlreport.page import run_report_html
    from lstm_desktop.core.store.atomic import write_bytes_atomic

    project, run = _stored_run(args, chosen_run)
    spec = strategy_spec(args, project.strategy)
    target = Path(args.html)
    if target.is_dir():
        raise BadInput(f"Cannot write the report to {target}: it is a folder; give a file name.")
    html = run_report_html(run, spec, notes=project.notes)
    try:
        write_bytes_atomic(target, html.encode("utf-8"))
    except OSError as exc:
        raise BadInput(f"Cannot write the report to {target}: {exc.strerror or exc}.") from exc
    err(f"wrote {target}")
    return 0
