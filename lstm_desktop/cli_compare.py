"""The command line's `compare`: several variants (cells, inputs left out) on the same data, split and seed, each
a run of the project, with the pairwise tests and the verdict."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from lstm_desktop.cli_args import _add_field, add_data_args, add_settings_args, backtest_spec, run_config
from lstm_desktop.core.compare.spec import CompareSpec
from lstm_desktop.core.specs import CELLS, BacktestSpec

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def register(sub: Any, add_output_args: Any) -> None:
    from lstm_desktop.cli_many import _add_cluster_args

    parser = sub.add_parser(
        "compare", help="train several cells (and inputs left out) side by side; pairwise Diebold–Mariano tests"
    )
    add_data_args(parser)
    add_settings_args(parser)
    group = parser.add_argument_group("comparison")
    fields = {f.name: f for f in dataclasses.fields(CompareSpec)}
    cells = f"{fields['cells'].metadata['help']}; comma-separated (default {','.join(CELLS)})"
    group.add_argument("--cells", default=",".join(CELLS), help=cells)
    _add_field(group, CompareSpec, fields["drop_inputs"])
    group.add_argument("--backtest", action="store_true", help="also backtest each variant (with the flags below)")
    for field in dataclasses.fields(BacktestSpec):
        if field.name != "workers":
            _add_field(group, BacktestSpec, field)
    workers = "local worker processes (0: one per core); results do not depend on it"
    group.add_argument("--workers", type=int, default=0, help=workers)
    _add_cluster_args(parser)
    add_output_args(parser)


def compare_spec(args: argparse.Namespace) -> CompareSpec:
    cells = tuple(c.strip().lower() for c in args.cells.split(",") if c.strip())
    spec = CompareSpec(cells=cells, drop_inputs=args.drop_inputs)
    spec.validate()
    return spec


def cmd_compare(
    args: argparse.Namespace, err: Any, ctrl_c_stops: Any, open_for_adding: Any, save_and_print: Any
) -> int:
    from lstm_desktop.cli_many import _keep_and_tell, executor_from
    from lstm_desktop.core.backtest.many import item_count
    from lstm_desktop.core.compare.runner import compare
    from lstm_desktop.core.compare.text import CompareLines, compare_text
    from lstm_desktop.core.compare.variants import plan
    from lstm_desktop.core.data.sources import load_prices

    spec = compare_spec(args)
    config = run_config(args)
    backtest = backtest_spec(argparse.Namespace(**{**vars(args), "workers": 0})) if args.backtest else None
    project = open_for_adding(args.project, args.new_project)
    frames = tuple(load_prices(config.data))
    variants = plan(config, frames, spec)  # refuses a comparison that cannot be made before anything trains
    executor = executor_from(args, config.train.threads or 1, item_count(len(variants), backtest))
    with ctrl_c_stops() as stop:
        result = compare(config, frames, spec, backtest, variants=variants, executor=executor,
                         on_event=CompareLines(args.quiet, err), should_stop=lambda: stop["asked"])  # fmt: skip
    report = result.report
    document = report.document()
    kept = _keep_and_tell(args, err, save_and_print, project, result, document, document["variants"],
                          compare_text(report), "comparison")  # fmt: skip
    if kept is not None:
        return kept
    if not result.runs:
        first = next((row.error for row in report.variants if row.error), "no variant ran")
        err(f"error: no variant finished ({first})")
        return EXIT_BAD_INPUT
    return EXIT_OK
