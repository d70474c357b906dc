"""The command line's commands for projects that live: refresh (append the days after a project's last date),
track (score its frozen forecasts on what happened since) and update (a new run from an old one's weights).
Cron-friendly: exit codes as train's (0 done, also with nothing new; 2 bad input; 3 data unavailable; 130 stopped),
a project with nothing new is left byte for byte as it was, and the project is saved before anything is printed (a
reader that goes away, `refresh ... | head`, must not lose the refresh)."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from lstm_desktop.cli_args import _add_field, add_data_args
from lstm_desktop.cli_common import EXIT_OK, EXIT_STOPPED, ctrl_c_stops, err, print_json, save
from lstm_desktop.core.errors import exit_code_of
from lstm_desktop.core.living.spec import UpdateSpec

ONLY_DATA = ("--csv", "--offline")


def register(sub: Any) -> None:
    from lstm_desktop.cli_many import _add_cluster_args

    refresh = sub.add_parser("refresh", help="append the prices after a project's last date, then track its forecasts")
    refresh.add_argument("project", metavar="PROJECT")
    add_data_args(refresh, ONLY_DATA, "where the new prices come from (default: each ticker's own source)")
    _add_output(refresh)
    track = sub.add_parser("track", help="score a project's frozen forecasts on the prices that arrived since")
    track.add_argument("project", metavar="PROJECT")
    track.add_argument("--json", action="store_true", help="print one JSON document")
    update = sub.add_parser(
        "update", help="a new run from a run's weights (or refit) on the prices that arrived, its parent the old run"
    )
    update.add_argument("project", metavar="PROJECT")
    group = update.add_argument_group("which runs, and how")
    group.add_argument(
        "--run",
        action="append",
        default=[],
        metavar="ID",
        help="the run to update (id, start of an id, or name); repeat for more (default: the current)",
    )
    group.add_argument(
        "--every-ticker",
        action="store_true",
        help="update the newest run of every target ticker (a sweep's), in worker processes",
    )
    for field in dataclasses.fields(UpdateSpec):
        _add_field(group, UpdateSpec, field)
    group.add_argument("--workers", type=int, default=0,
                       help="local worker processes when several runs are updated (0: one per core)")  # fmt: skip
    add_data_args(update, ("--csv",), "refresh first from a newer CSV file (default: the prices the project holds)")
    _add_cluster_args(update)
    _add_output(update)


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _refreshed(project: Any, args: argparse.Namespace, offline: bool, tickers: set[str] | None = None) -> Any:
    """Refresh the project in memory (its prices from each source, or --csv; only `tickers` if given); the
    refresh's result."""
    from lstm_desktop.core.living.refresh import apply_refresh, refresh_prices
    from lstm_desktop.core.living.text import refresh_lines

    refreshed = refresh_prices(project, args.csv, offline, tickers=tickers)
    apply_refresh(project, refreshed)
    if not args.quiet:
        for line in refresh_lines(refreshed.rows):
            err(line)
    return refreshed


def cmd_refresh(args: argparse.Namespace) -> int:
    from lstm_desktop.core.living.document import refresh_document
    from lstm_desktop.core.living.text import track_lines
    from lstm_desktop.core.living.track import track_project
    from lstm_desktop.core.store.project_io import load_project

    project = load_project(args.project)
    refreshed = _refreshed(project, args, args.offline)
    tracked = track_project(project)
    code = save(project, args.project) if refreshed.changed else EXIT_OK  # first: a reader gone must not lose it
    if args.json:
        print_json(refresh_document(refreshed.rows, refreshed.changed, tracked))
    else:
        print("\n".join(track_lines(tracked)), flush=True)
    failed = refreshed.failed
    if not refreshed.changed and not args.quiet:
        err(f"{'nothing refreshed' if failed else 'nothing new'}: {args.project} is unchanged")
    return code or (failed[0].exit_code if failed else EXIT_OK)


def cmd_track(args: argparse.Namespace) -> int:
    from lstm_desktop.core.living.document import track_document
    from lstm_desktop.core.living.text import track_lines
    from lstm_desktop.core.living.track import track_project
    from lstm_desktop.core.store.project_io import load_project

    tracked = track_project(load_project(args.project))
    if args.json:
        print_json(track_document(tracked))
    else:
        print("\n".join(track_lines(tracked)))
    return EXIT_OK


class UpdateLines:
    """Epoch lines of the updates on stderr."""

    def __init__(self, quiet: bool, names: dict[str, str]) -> None:
        self.quiet, self.names = quiet, names

    def __call__(self, event: Any) -> None:
        from lstm_desktop.core.living.update import UpdateProgress

        if not self.quiet and isinstance(event, UpdateProgress):
            err(f"{self.names.get(event.run, event.run)}: epoch {event.epoch}/{event.epochs}")


def cmd_update(args: argparse.Namespace) -> int:
    from lstm_desktop.cli_many import executor_from, probe_cluster
    from lstm_desktop.core.living.update import keep_updates, plan_updates, runs_to_update, update_runs
    from lstm_desktop.core.runtime import set_threads
    from lstm_desktop.core.store.project_io import load_project

    spec = UpdateSpec(**{f.name: getattr(args, f.name) for f in dataclasses.fields(UpdateSpec)})
    spec.validate()
    probe_cluster(args)
    project = load_project(args.project)
    runs = runs_to_update(project, args.run, args.every_ticker)
    tickers = {frame.ticker for run in runs for frame in run.data.frames}  # a sweep's other tickers: not from --csv
    refreshed = _refreshed(project, args, offline=True, tickers=tickers) if args.csv else None
    if refreshed is not None and refreshed.failed:
        first = refreshed.failed[0]
        err(f"error: {first.ticker} could not be refreshed from {args.csv}; nothing was updated or saved.")
        return first.exit_code
    plans, notes = plan_updates(project, runs, spec)
    for note in notes:
        err(note)
    if not plans:
        code = save(project, args.project) if refreshed is not None and refreshed.changed else EXIT_OK
        if args.json:  # after the save, as below
            print_json({"updated": [], "nothing_new": notes})
        return code
    executor = None
    if len(plans) > 1 or args.scheduler:
        executor = executor_from(args, max(1, *(p.config.train.threads for p in plans)), len(plans))
    else:
        set_threads(plans[0].config.train.threads)
    names = {p.parent.id: p.parent.name for p in plans}
    with ctrl_c_stops() as stop:
        result = update_runs(plans, executor=executor, on_event=UpdateLines(args.quiet, names),
                             should_stop=lambda: stop["asked"])  # fmt: skip
    stored = keep_updates(project, result)
    code = save(project, args.project) if stored or (refreshed is not None and refreshed.changed) else EXIT_OK
    _print_updates(args, stored, result)  # after the save: a reader gone (| head) must not lose the runs
    if code != EXIT_OK:
        return code
    if result.failure is not None or result.errors:
        first = result.failure or result.errors[0][1]
        return exit_code_of(first)
    stopped = result.stopped or any(s.report.stopped == "user" for s in stored)
    return EXIT_STOPPED if stopped else EXIT_OK


def _print_updates(args: argparse.Namespace, stored: list, result: Any) -> None:
    """The new run's document (several: a list of them, and the failures), or its text."""
    from lstm_desktop.cli_text import run_text
    from lstm_desktop.core.errors import failure_text

    for plan, error in result.errors:
        err(f"{plan.parent.name}: not updated: {failure_text(error)}")
    if args.json:
        documents = [run.report.document() | {"run": {"id": run.id, "name": run.name}} for run in stored]
        failed = [{"run": plan.parent.id, "error": failure_text(error)} for plan, error in result.errors]
        print_json(documents[0] if len(documents) == 1 and not failed else {"updated": documents, "failed": failed})
    else:
        for run in stored:
            print(f"{run.name} ({run.id}), updated from {run.report.parent}:")
            print(run_text(run.report))
